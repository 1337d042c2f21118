/**
 * The Traffic list's URL, on its own (no client-only imports): the page preloads it from the
 * server (app/(dashboard)/traffic/page.tsx) and trafficQuery fetches it, so the two must agree.
 */
export const trafficListUrl = (namespace: string) => `/api/traffic${namespace ? `?namespace=${encodeURIComponent(namespace)}` : ''}`;
