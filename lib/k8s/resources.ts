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
export const deployments: ResourceDescriptor = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true };
export const services: ResourceDescriptor = { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true };
export const leases: ResourceDescriptor = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true };
export const envoyFilters: ResourceDescriptor = { group: 'networking.istio.io', version: 'v1alpha3', plural: 'envoyfilters', kind: 'EnvoyFilter', namespaced: true };
export const pods: ResourceDescriptor = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
// Read by the configuration analysis (lib/k8s/analysis.ts).
export const endpoints: ResourceDescriptor = { group: '', version: 'v1', plural: 'endpoints', kind: 'Endpoints', namespaced: true };
export const secrets: ResourceDescriptor = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
export const serviceAccounts: ResourceDescriptor = { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true };
export const mutatingWebhookConfigurations: ResourceDescriptor = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', namespaced: false };
export const validatingWebhookConfigurations: ResourceDescriptor = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', namespaced: false };
export const customResourceDefinitions: ResourceDescriptor = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false };
export const serviceEntries: ResourceDescriptor = { group: 'networking.istio.io', version: 'v1', plural: 'serviceentries', kind: 'ServiceEntry', namespaced: true };
export const sidecars: ResourceDescriptor = { group: 'networking.istio.io', version: 'v1', plural: 'sidecars', kind: 'Sidecar', namespaced: true };
export const workloadEntries: ResourceDescriptor = { group: 'networking.istio.io', version: 'v1', plural: 'workloadentries', kind: 'WorkloadEntry', namespaced: true };
export const workloadGroups: ResourceDescriptor = { group: 'networking.istio.io', version: 'v1', plural: 'workloadgroups', kind: 'WorkloadGroup', namespaced: true };
export const proxyConfigs: ResourceDescriptor = { group: 'networking.istio.io', version: 'v1beta1', plural: 'proxyconfigs', kind: 'ProxyConfig', namespaced: true };
export const telemetries: ResourceDescriptor = { group: 'telemetry.istio.io', version: 'v1', plural: 'telemetries', kind: 'Telemetry', namespaced: true };
export const wasmPlugins: ResourceDescriptor = { group: 'extensions.istio.io', version: 'v1alpha1', plural: 'wasmplugins', kind: 'WasmPlugin', namespaced: true };
export const kubernetesGateways: ResourceDescriptor = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gateways', kind: 'Gateway', namespaced: true };
export const gatewayClasses: ResourceDescriptor = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses', kind: 'GatewayClass', namespaced: false };
export const httpRoutes: ResourceDescriptor = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', kind: 'HTTPRoute', namespaced: true };
export const grpcRoutes: ResourceDescriptor = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'grpcroutes', kind: 'GRPCRoute', namespaced: true };
export const tcpRoutes: ResourceDescriptor = { group: 'gateway.networking.k8s.io', version: 'v1alpha2', plural: 'tcproutes', kind: 'TCPRoute', namespaced: true };
export const tlsRoutes: ResourceDescriptor = { group: 'gateway.networking.k8s.io', version: 'v1alpha2', plural: 'tlsroutes', kind: 'TLSRoute', namespaced: true };

const known = [
  namespaces,
  configMaps,
  virtualServices,
  destinationRules,
  gateways,
  peerAuthentications,
  requestAuthentications,
  authorizationPolicies,
  deployments,
  services,
  leases,
  envoyFilters,
  pods,
  endpoints,
  secrets,
  serviceAccounts,
  mutatingWebhookConfigurations,
  validatingWebhookConfigurations,
  customResourceDefinitions,
  serviceEntries,
  sidecars,
  workloadEntries,
  workloadGroups,
  proxyConfigs,
  telemetries,
  wasmPlugins,
  kubernetesGateways,
  gatewayClasses,
  httpRoutes,
  grpcRoutes,
  tcpRoutes,
  tlsRoutes,
];

/**
 * The Kind for a Status's `details.kind`, which is the plural resource ("virtualservices") in
 * most answers and the Kind itself in some; unknown resources are returned as given.
 */
export function kindOfResource(resourceOrKind: string, group: string): string {
  return known.find((d) => d.group === group && (d.plural === resourceOrKind || d.kind === resourceOrKind))?.kind ?? resourceOrKind;
}

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
