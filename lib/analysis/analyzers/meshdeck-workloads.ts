// What several Meshdeck rules read about the pods behind a host: the Service a host names, the
// running pods it (or one of its DestinationRule subsets) sends to, and the subsets and traffic
// policies a DestinationRule declares. Reads go through the view (a namespace's pods, an index
// of services by host), so a change re-runs only the checks of that namespace or host.
import { K } from '../kinds';
import { PODS_BY_NAMESPACE_LABEL, SERVICES_BY_HOST, fqdn, isKind, podsSelectedIn, servicesForHost } from '../lookups';
import type { AnalysisObject, IndexDefinition, View } from '../types';
import type { VirtualServiceSpec } from './virtualservice-routes';
import { effectiveWeights } from '@/lib/mesh/weights';
import { labelsMatch } from '@/lib/mesh/selectors';

export interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: { name?: string; port?: number; targetPort?: number | string }[];
}

export interface PortSelector {
  number?: number;
}

export interface TrafficPolicy {
  tls?: { mode?: string };
  outlierDetection?: OutlierDetection;
  portLevelSettings?: (TrafficPolicy & { port?: PortSelector })[];
}

export interface OutlierDetection {
  consecutiveErrors?: number;
  consecutive5xxErrors?: number;
  consecutiveGatewayErrors?: number;
  splitExternalLocalOriginErrors?: boolean;
  consecutiveLocalOriginFailures?: number;
  maxEjectionPercent?: number;
  minHealthPercent?: number;
}

export interface Subset {
  name?: string;
  labels?: Record<string, string>;
  trafficPolicy?: TrafficPolicy;
}

export interface DestinationRuleSpec {
  host?: string;
  subsets?: Subset[];
  trafficPolicy?: TrafficPolicy;
}

export const ruleSpec = (rule: AnalysisObject) => (rule.spec ?? {}) as DestinationRuleSpec;

/** The FQDN a DestinationRule's host resolves to in its namespace, or undefined when it has none. */
export function ruleHost(rule: AnalysisObject): string | undefined {
  const host = ruleSpec(rule).host;
  return host ? fqdn(host, rule.metadata.namespace) : undefined;
}

/** Kubernetes Services (not ServiceEntries) answering to an FQDN (declare ENDPOINT_INDEXES). */
export const kubernetesServices = (view: View, host: string) => servicesForHost(view, host).filter((s) => isKind(s, K.Service));

/** A pod that serves traffic: running, so endpoints exist for it. */
export const isRunning = (pod: AnalysisObject) => (pod.status as { phase?: string } | undefined)?.phase === 'Running';

/** The indexes endpointPods and endpointsForHost read: declare them in the analyzer's `indexes`. */
export const ENDPOINT_INDEXES: readonly IndexDefinition[] = [...SERVICES_BY_HOST, PODS_BY_NAMESPACE_LABEL];

/**
 * The running pods behind a Service, narrowed to a subset's labels when given. A Service without
 * a selector (endpoints managed by hand) has none we can know: undefined, so callers stay silent.
 * Read through the pods-by-namespace-and-label index, so a pod change re-runs only the checks
 * of its namespace's Services that share its labels (a cluster-wide `app=web` entry re-ran the
 * checks of every namespace's `web` at each pod change).
 */
export function endpointPods(view: View, service: AnalysisObject, subsetLabels?: Record<string, string>): AnalysisObject[] | undefined {
  const selector = (service.spec as ServiceSpec | undefined)?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  return podsSelectedIn(view, service.metadata.namespace, selector).filter((pod) => isRunning(pod) && labelsMatch(subsetLabels, pod.metadata.labels));
}

/**
 * The running pods a host's traffic (or a subset's) reaches: those of every Kubernetes Service
 * with that FQDN. Undefined when no such Service has a selector (a ServiceEntry, a manual Service).
 */
export function endpointsForHost(view: View, host: string, subsetLabels?: Record<string, string>): AnalysisObject[] | undefined {
  let known = false;
  const pods = new Map<string, AnalysisObject>();
  for (const service of kubernetesServices(view, host)) {
    const found = endpointPods(view, service, subsetLabels);
    if (!found) continue;
    known = true;
    for (const pod of found) pods.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod);
  }
  return known ? [...pods.values()] : undefined;
}

/** `"name"` or `#index`, as Istio names a route in its messages. */
export const routeLabel = (route: { name?: string } | undefined, index: number) => (route?.name ? `#${index} "${route.name}"` : `#${index}`);

export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export interface SplitRoute {
  protocol: 'http' | 'tcp' | 'tls';
  /** `#2 "canary"` for http routes with a name, `#2` otherwise. */
  label: string;
  /** `spec.http[2]` */
  path: string;
  targets: NonNullable<NonNullable<VirtualServiceSpec['http']>[number]['route']>;
  /** The weights as Istio reads them (lib/mesh/weights effectiveWeights). */
  weights: number[];
}

/**
 * The routes of a VirtualService that split traffic: those with several destinations. A lone
 * destination takes all traffic whatever its weight says, so its weight never matters.
 */
export function splitRoutes(spec: VirtualServiceSpec | undefined): SplitRoute[] {
  return (['http', 'tcp', 'tls'] as const).flatMap((protocol) =>
    (spec?.[protocol] ?? []).flatMap((route, r) => {
      const targets = route.route ?? [];
      if (targets.length < 2) return [];
      const label = protocol === 'http' ? routeLabel(route as { name?: string }, r) : `#${r}`;
      return [{ protocol, label, path: `spec.${protocol}[${r}]`, targets, weights: effectiveWeights(targets.map((t) => t.weight)) }];
    }),
  );
}
