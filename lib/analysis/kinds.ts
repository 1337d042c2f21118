// The kinds analyzers read, by their version-free key (types.ts Kind).
import type { AnalysisObject, Kind } from './types';

export const K = {
  Namespace: 'Namespace',
  Pod: 'Pod',
  Service: 'Service',
  Endpoints: 'Endpoints',
  ConfigMap: 'ConfigMap',
  Secret: 'Secret',
  ServiceAccount: 'ServiceAccount',
  Deployment: 'apps/Deployment',
  MutatingWebhookConfiguration: 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  ValidatingWebhookConfiguration: 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  CustomResourceDefinition: 'apiextensions.k8s.io/CustomResourceDefinition',
  VirtualService: 'networking.istio.io/VirtualService',
  DestinationRule: 'networking.istio.io/DestinationRule',
  Gateway: 'networking.istio.io/Gateway',
  ServiceEntry: 'networking.istio.io/ServiceEntry',
  Sidecar: 'networking.istio.io/Sidecar',
  EnvoyFilter: 'networking.istio.io/EnvoyFilter',
  WorkloadEntry: 'networking.istio.io/WorkloadEntry',
  WorkloadGroup: 'networking.istio.io/WorkloadGroup',
  ProxyConfig: 'networking.istio.io/ProxyConfig',
  PeerAuthentication: 'security.istio.io/PeerAuthentication',
  RequestAuthentication: 'security.istio.io/RequestAuthentication',
  AuthorizationPolicy: 'security.istio.io/AuthorizationPolicy',
  Telemetry: 'telemetry.istio.io/Telemetry',
  WasmPlugin: 'extensions.istio.io/WasmPlugin',
  KubernetesGateway: 'gateway.networking.k8s.io/Gateway',
  GatewayClass: 'gateway.networking.k8s.io/GatewayClass',
  HTTPRoute: 'gateway.networking.k8s.io/HTTPRoute',
  GRPCRoute: 'gateway.networking.k8s.io/GRPCRoute',
  TCPRoute: 'gateway.networking.k8s.io/TCPRoute',
  TLSRoute: 'gateway.networking.k8s.io/TLSRoute',
} as const satisfies Record<string, Kind>;

/** The kind key of an object: its apiVersion's group (no version) and its kind. */
export function kindOf(object: Pick<AnalysisObject, 'apiVersion' | 'kind'>): Kind {
  const slash = object.apiVersion.indexOf('/');
  return slash < 0 ? object.kind : `${object.apiVersion.slice(0, slash)}/${object.kind}`;
}

/** The key of one object, unique in a snapshot. */
export const objectKey = (kind: Kind, namespace: string | undefined, name: string) => `${kind}|${namespace ?? ''}|${name}`;

export const keyOf = (object: AnalysisObject) => objectKey(kindOf(object), object.metadata.namespace, object.metadata.name);
