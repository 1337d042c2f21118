// Istio's annotation catalogue, as `istioctl analyze` knows it (istio.io/api annotation.AllResourceAnnotations()).
// Source: istio/api annotation/annotations.gen.go (generated from annotation/annotations.yaml), the
// version that lists `sidecar.istio.io/nativeSidecar` and `networking.istio.io/traffic-distribution`
// (Istio 1.23/1.24), plus what the Istio 1.25.0 change notes add: `istio.io/reroute-virtual-interfaces`
// and `ambient.istio.io/dns-capture` (Pod), and `traffic.sidecar.istio.io/kubevirtInterfaces`
// deprecated in favour of the former. An annotation Istio added after that reads as unknown (IST0108).
import { K } from '../kinds';

/** Istio's ResourceTypes: where an annotation may be set (`Any`: anywhere). */
export type AnnotationResource =
  'Any' | 'AuthorizationPolicy' | 'Gateway' | 'GatewayClass' | 'Ingress' | 'Namespace' | 'Pod' | 'Service' | 'ServiceEntry' | 'WorkloadEntry';

export type FeatureStatus = 'Alpha' | 'Beta' | 'Stable';

export interface IstioAnnotation {
  name: string;
  featureStatus: FeatureStatus;
  deprecated: boolean;
  resources: readonly AnnotationResource[];
}

const entry = (name: string, featureStatus: FeatureStatus, resources: AnnotationResource[], deprecated = false): IstioAnnotation => ({
  name,
  featureStatus,
  deprecated,
  resources,
});
const pod = (name: string, featureStatus: FeatureStatus = 'Alpha', deprecated = false) => entry(name, featureStatus, ['Pod'], deprecated);
const DEPRECATED = true;

export const ISTIO_ANNOTATIONS: readonly IstioAnnotation[] = [
  entry('alpha.istio.io/canonical-serviceaccounts', 'Alpha', ['Service'], DEPRECATED),
  entry('alpha.istio.io/kubernetes-serviceaccounts', 'Alpha', ['Service'], DEPRECATED),
  pod('ambient.istio.io/bypass-inbound-capture'),
  pod('ambient.istio.io/dns-capture'),
  pod('ambient.istio.io/redirection', 'Beta'),
  entry('ambient.istio.io/waypoint-inbound-binding', 'Alpha', ['GatewayClass', 'Gateway']),
  entry('galley.istio.io/analyze-suppress', 'Alpha', ['Any']),
  entry('gateway.istio.io/controller-version', 'Alpha', ['Any']),
  entry('gateway.istio.io/name-override', 'Alpha', ['Gateway']),
  entry('gateway.istio.io/service-account', 'Alpha', ['Gateway']),
  pod('inject.istio.io/templates'),
  entry('istio.io/autoRegistrationGroup', 'Alpha', ['WorkloadEntry']),
  entry('istio.io/connectedAt', 'Alpha', ['WorkloadEntry']),
  entry('istio.io/disconnectedAt', 'Alpha', ['WorkloadEntry']),
  entry('istio.io/dry-run', 'Alpha', ['AuthorizationPolicy']),
  pod('istio.io/reroute-virtual-interfaces'),
  pod('istio.io/rev'),
  entry('istio.io/workloadController', 'Alpha', ['WorkloadEntry']),
  entry('kubernetes.io/ingress.class', 'Stable', ['Ingress']),
  entry('networking.istio.io/exportTo', 'Alpha', ['Service']),
  entry('networking.istio.io/service-type', 'Alpha', ['Gateway']),
  entry('networking.istio.io/traffic-distribution', 'Alpha', ['Service', 'ServiceEntry']),
  pod('prometheus.istio.io/merge-metrics'),
  pod('proxy.istio.io/config', 'Beta'),
  pod('proxy.istio.io/overrides'),
  pod('readiness.status.sidecar.istio.io/applicationPorts'),
  pod('readiness.status.sidecar.istio.io/failureThreshold'),
  pod('readiness.status.sidecar.istio.io/initialDelaySeconds'),
  pod('readiness.status.sidecar.istio.io/periodSeconds'),
  pod('sidecar.istio.io/agentLogLevel'),
  pod('sidecar.istio.io/bootstrapOverride'),
  pod('sidecar.istio.io/componentLogLevel'),
  pod('sidecar.istio.io/discoveryAddress', 'Alpha', DEPRECATED),
  pod('sidecar.istio.io/enableCoreDump'),
  pod('sidecar.istio.io/extraStatTags', 'Alpha', DEPRECATED),
  // Deprecated in favour of the `sidecar.istio.io/inject` label.
  pod('sidecar.istio.io/inject', 'Beta', DEPRECATED),
  pod('sidecar.istio.io/interceptionMode'),
  pod('sidecar.istio.io/logLevel'),
  pod('sidecar.istio.io/nativeSidecar'),
  pod('sidecar.istio.io/proxyCPU'),
  pod('sidecar.istio.io/proxyCPULimit'),
  pod('sidecar.istio.io/proxyImage'),
  pod('sidecar.istio.io/proxyImageType'),
  pod('sidecar.istio.io/proxyMemory'),
  pod('sidecar.istio.io/proxyMemoryLimit'),
  pod('sidecar.istio.io/rewriteAppHTTPProbers'),
  pod('sidecar.istio.io/statsHistogramBuckets'),
  pod('sidecar.istio.io/statsInclusionPrefixes', 'Alpha', DEPRECATED),
  pod('sidecar.istio.io/statsInclusionRegexps', 'Alpha', DEPRECATED),
  pod('sidecar.istio.io/statsInclusionSuffixes', 'Alpha', DEPRECATED),
  pod('sidecar.istio.io/status'),
  pod('sidecar.istio.io/userVolume'),
  pod('sidecar.istio.io/userVolumeMount'),
  pod('status.sidecar.istio.io/port'),
  entry('topology.istio.io/controlPlaneClusters', 'Alpha', ['Namespace']),
  entry('traffic.istio.io/nodeSelector', 'Stable', ['Service']),
  pod('traffic.sidecar.istio.io/excludeInboundPorts'),
  pod('traffic.sidecar.istio.io/excludeInterfaces'),
  pod('traffic.sidecar.istio.io/excludeOutboundIPRanges'),
  pod('traffic.sidecar.istio.io/excludeOutboundPorts'),
  pod('traffic.sidecar.istio.io/includeInboundPorts'),
  pod('traffic.sidecar.istio.io/includeOutboundIPRanges'),
  pod('traffic.sidecar.istio.io/includeOutboundPorts'),
  pod('traffic.sidecar.istio.io/kubevirtInterfaces', 'Alpha', DEPRECATED),
];

const byName = new Map(ISTIO_ANNOTATIONS.map((annotation) => [annotation.name, annotation]));

/** The catalogue entry of an annotation, or undefined when Istio does not know it. */
export const istioAnnotation = (name: string) => byName.get(name);

/**
 * Whether an annotation is in Istio's namespace, as the analyzer decides: its prefix (before the
 * first `/`) ends with `istio.io`; and `kubernetes.io/ingress.class`, which Istio documents.
 */
export function isIstioAnnotation(name: string): boolean {
  if (name === 'kubernetes.io/ingress.class') return true;
  return name.split('/')[0]!.endsWith('istio.io');
}

/** The kinds both annotation analyzers read, as Istio does: metadata annotations of these only. */
export const ANNOTATED_KINDS = [K.Namespace, K.Service, K.Pod, K.Deployment];

/** The field path of one annotation. */
export const annotationPath = (name: string) => `metadata.annotations[${JSON.stringify(name)}]`;

/** An object's Istio annotations, sorted (Go's map order is random; ours is stable). */
export const istioAnnotationsOf = (annotations: Record<string, string> | undefined): [string, string][] =>
  Object.entries(annotations ?? {})
    .filter(([name]) => isIstioAnnotation(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
