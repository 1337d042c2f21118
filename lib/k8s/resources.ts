/** Identifies one kind of Kubernetes resource on the API server. */
export interface ResourceDescriptor {
  group: string; // '' for the core group
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const namespaces: ResourceDescriptor = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false };
export const configMaps: ResourceDescriptor = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
export const virtualServices: ResourceDescriptor = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService', namespaced: true };
export const destinationRules: ResourceDescriptor = { group: 'networking.istio.io', version: 'v1', plural: 'destinationrules', kind: 'DestinationRule', namespaced: true };
export const gateways: ResourceDescriptor = { group: 'networking.istio.io', version: 'v1', plural: 'gateways', kind: 'Gateway', namespaced: true };
export const peerAuthentications: ResourceDescriptor = { group: 'security.istio.io', version: 'v1', plural: 'peerauthentications', kind: 'PeerAuthentication', namespaced: true };
export const requestAuthentications: ResourceDescriptor = { group: 'security.istio.io', version: 'v1', plural: 'requestauthentications', kind: 'RequestAuthentication', namespaced: true };
export const authorizationPolicies: ResourceDescriptor = { group: 'security.istio.io', version: 'v1', plural: 'authorizationpolicies', kind: 'AuthorizationPolicy', namespaced: true };
export const envoyFilters: ResourceDescriptor = { group: 'networking.istio.io', version: 'v1alpha3', plural: 'envoyfilters', kind: 'EnvoyFilter', namespaced: true };

/** The apiVersion string of a descriptor ("v1", "networking.istio.io/v1"). */
export function apiVersionOf(d: ResourceDescriptor): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

/** The REST collection path, cluster-wide or in one namespace. */
export function collectionPath(d: ResourceDescriptor, namespace?: string): string {
  const base = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
  return d.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${d.plural}` : `${base}/${d.plural}`;
}

/** The REST path of one object. */
export function objectPath(d: ResourceDescriptor, namespace: string | undefined, name: string): string {
  return `${collectionPath(d, namespace)}/${encodeURIComponent(name)}`;
}
