/** The page of the rollout on a VirtualService (the Traffic row, the list and the banner link here). */
export const rolloutHref = (vs: { namespace: string; name: string }) => `/rollouts/${encodeURIComponent(vs.namespace)}/${encodeURIComponent(vs.name)}`;
