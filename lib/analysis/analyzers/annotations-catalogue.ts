// Istio's annotation catalogue, as `istioctl analyze` knows it (istio.io/api annotation.AllResourceAnnotations()).
// Source: istio/api annotation/annotations.gen.go (generated from annotation/annotations.yaml), a
// pre-1.25 version that already lists `sidecar.istio.io/nativeSidecar` and
// `networking.istio.io/traffic-distribution`, plus what the Istio 1.25.0 change notes add: `istio.io/reroute-virtual-interfaces`
// and `ambient.istio.io/dns-capture` (Pod), and `traffic.sidecar.istio.io/kubevirtInterfaces`
// deprecated in favour of the former. An annotation Istio added after that reads as unknown (IST0108).
import { K } from '../kinds';

/** Istio's ResourceTypes: where an annotation may be set (`Any`: anywhere). */
export type AnnotationResource =
  'Any' | 'AuthorizationPolicy' | 'Gateway' | 'GatewayClass' | 'Ingress' | 'Namespace' | 'Pod' | 'Service' | 'ServiceEntry' | 'WorkloadEntry';

export interface IstioAnnotation {
  name: string;
  /** Istio's FeatureStatus is Alpha (the rest are in a later phase: the analyzers tell only alpha apart). */
  alpha: boolean;
  deprecated: boolean;
  resources: readonly AnnotationResource[];
}

const ALPHA = true;
const LATER_PHASE = false;
const DEPRECATED = true;
const entry = (name: string, alpha: boolean, resources: AnnotationResource[], deprecated = false): IstioAnnotation => ({
  name,
  alpha,
  deprecated,
  resources,
});
const pod = (name: string, alpha = ALPHA, deprecated = false) => entry(name, alpha, ['Pod'], deprecated);

export const ISTIO_ANNOTATIONS: readonly IstioAnnotation[] = [
  entry('alpha.istio.io/canonical-serviceaccounts', ALPHA, ['Service'], DEPRECATED),
  entry('alpha.istio.io/kubernetes-serviceaccounts', ALPHA, ['Service'], DEPRECATED),
  pod('ambient.istio.io/bypass-inbound-capture'),
  pod('ambient.istio.io/dns-capture'),
  pod('ambient.istio.io/redirection', LATER_PHASE),
  entry('ambient.istio.io/waypoint-inbound-binding', ALPHA, ['GatewayClass', 'Gateway']),
  entry('galley.istio.io/analyze-suppress', ALPHA, ['Any']),
  entry('gateway.istio.io/controller-version', ALPHA, ['Any']),
  entry('gateway.istio.io/name-override', ALPHA, ['Gateway']),
  entry('gateway.istio.io/service-account', ALPHA, ['Gateway']),
  pod('inject.istio.io/templates'),
  entry('istio.io/autoRegistrationGroup', ALPHA, ['WorkloadEntry']),
  entry('istio.io/connectedAt', ALPHA, ['WorkloadEntry']),
  entry('istio.io/disconnectedAt', ALPHA, ['WorkloadEntry']),
  entry('istio.io/dry-run', ALPHA, ['AuthorizationPolicy']),
  pod('istio.io/reroute-virtual-interfaces'),
  pod('istio.io/rev'),
  entry('istio.io/workloadController', ALPHA, ['WorkloadEntry']),
  entry('kubernetes.io/ingress.class', LATER_PHASE, ['Ingress']),
  entry('networking.istio.io/exportTo', ALPHA, ['Service']),
  entry('networking.istio.io/service-type', ALPHA, ['Gateway']),
  entry('networking.istio.io/traffic-distribution', ALPHA, ['Service', 'ServiceEntry']),
  pod('prometheus.istio.io/merge-metrics'),
  pod('proxy.istio.io/config', LATER_PHASE),
  pod('proxy.istio.io/overrides'),
  pod('readiness.status.sidecar.istio.io/applicationPorts'),
  pod('readiness.status.sidecar.istio.io/failureThreshold'),
  pod('readiness.status.sidecar.istio.io/initialDelaySeconds'),
  pod('readiness.status.sidecar.istio.io/periodSeconds'),
  pod('sidecar.istio.io/agentLogLevel'),
  pod('sidecar.istio.io/bootstrapOverride'),
  pod('sidecar.istio.io/componentLogLevel'),
  pod('sidecar.istio.io/discoveryAddress', ALPHA, DEPRECATED),
  pod('sidecar.istio.io/enableCoreDump'),
  pod('sidecar.istio.io/extraStatTags', ALPHA, DEPRECATED),
  // Deprecated in favour of the `sidecar.istio.io/inject` label.
  pod('sidecar.istio.io/inject', LATER_PHASE, DEPRECATED),
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
  pod('sidecar.istio.io/statsInclusionPrefixes', ALPHA, DEPRECATED),
  pod('sidecar.istio.io/statsInclusionRegexps', ALPHA, DEPRECATED),
  pod('sidecar.istio.io/statsInclusionSuffixes', ALPHA, DEPRECATED),
  pod('sidecar.istio.io/status'),
  pod('sidecar.istio.io/userVolume'),
  pod('sidecar.istio.io/userVolumeMount'),
  pod('status.sidecar.istio.io/port'),
  entry('topology.istio.io/controlPlaneClusters', ALPHA, ['Namespace']),
  entry('traffic.istio.io/nodeSelector', LATER_PHASE, ['Service']),
  pod('traffic.sidecar.istio.io/excludeInboundPorts'),
  pod('traffic.sidecar.istio.io/excludeInterfaces'),
  pod('traffic.sidecar.istio.io/excludeOutboundIPRanges'),
  pod('traffic.sidecar.istio.io/excludeOutboundPorts'),
  pod('traffic.sidecar.istio.io/includeInboundPorts'),
  pod('traffic.sidecar.istio.io/includeOutboundIPRanges'),
  pod('traffic.sidecar.istio.io/includeOutboundPorts'),
  pod('traffic.sidecar.istio.io/kubevirtInterfaces', ALPHA, DEPRECATED),
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
