// Lookups several analyzers share: hosts as Istio resolves them, services by host, the
// DestinationRules and VirtualServices of a host, the pods a selector picks. Each index is one
// shared definition (the engine refuses two of one id).
import { K, kindOf } from './kinds';
import { labelsMatch } from '@/lib/mesh/selectors';
import type { AnalysisObject, IndexDefinition, View } from './types';

export const CLUSTER_DOMAIN = 'cluster.local';

/**
 * A host as Istio resolves it in `namespace`: a name without a dot is a service of that
 * namespace (`reviews` → `reviews.<ns>.svc.cluster.local`); anything with a dot, and wildcards,
 * stay as written (istio pkg/config/analysis/analyzers/util ConvertHostToFQDN).
 */
export function fqdn(host: string, namespace: string | undefined): string {
  if (host.startsWith('*') || host.includes('.')) return host;
  return `${host}.${namespace ?? 'default'}.svc.${CLUSTER_DOMAIN}`;
}

/** The FQDN a Kubernetes Service answers to. */
export const serviceFqdn = (service: AnalysisObject) => `${service.metadata.name}.${service.metadata.namespace}.svc.${CLUSTER_DOMAIN}`;

/**
 * Istio's host.Name.SubsetOf: every host `host` stands for is covered by `pattern`. Either may be a
 * wildcard (`*.example.com`, `*`); a concrete host is covered by itself and by the wildcards above it.
 */
export function hostSubsetOf(host: string, pattern: string): boolean {
  if (host.startsWith('*')) return pattern.startsWith('*') && host.length >= pattern.length && host.slice(1).endsWith(pattern.slice(1));
  return pattern.startsWith('*') ? host.endsWith(pattern.slice(1)) : host === pattern;
}

/** Istio's host.Name.Matches: two hosts overlap when either covers the other (symmetric). */
export const hostsOverlap = (a: string, b: string) => hostSubsetOf(a, b) || hostSubsetOf(b, a);

interface ServiceEntrySpec {
  hosts?: string[];
}
interface HostsSpec {
  hosts?: string[];
}
interface DestinationRuleSpec {
  host?: string;
}

/** Services and ServiceEntries, by every FQDN they answer to. */
export const SERVICES_BY_HOST: IndexDefinition[] = [
  { id: 'service.host', kind: K.Service, keys: (service) => [serviceFqdn(service)] },
  {
    id: 'serviceentry.host',
    kind: K.ServiceEntry,
    keys: (entry) => ((entry.spec as ServiceEntrySpec | undefined)?.hosts ?? []).map((h) => fqdn(h, entry.metadata.namespace)),
  },
];

/** DestinationRules by the FQDN of their `host`. */
export const DESTINATION_RULES_BY_HOST: IndexDefinition = {
  id: 'destinationrule.host',
  kind: K.DestinationRule,
  keys: (rule) => {
    const host = (rule.spec as DestinationRuleSpec | undefined)?.host;
    return host ? [fqdn(host, rule.metadata.namespace)] : [];
  },
};

/** VirtualServices by the FQDN of each of their `hosts`. */
export const VIRTUAL_SERVICES_BY_HOST: IndexDefinition = {
  id: 'virtualservice.host',
  kind: K.VirtualService,
  keys: (vs) => [...new Set(((vs.spec as HostsSpec | undefined)?.hosts ?? []).map((h) => fqdn(h, vs.metadata.namespace)))],
};

/** The Services and ServiceEntries answering to an FQDN (declare SERVICES_BY_HOST in the analyzer's indexes). */
export function servicesForHost(view: View, host: string): readonly AnalysisObject[] {
  return [...view.lookup('service.host', host), ...view.lookup('serviceentry.host', host)];
}

/**
 * The DestinationRules that apply to an FQDN, as Istio picks them for a client in `namespace`:
 * Istio merges none; the client namespace's rule wins, then the service's namespace, then the
 * root namespace. Returned all (sorted), so callers can report ambiguity.
 */
export function destinationRulesForHost(view: View, host: string): readonly AnalysisObject[] {
  return view.lookup('destinationrule.host', host);
}

/** Pods, cluster-wide, under each of their `key=value` labels (a selector that spans namespaces, like an Istio Gateway's). */
export const PODS_BY_LABEL: IndexDefinition = {
  id: 'pod.label',
  kind: K.Pod,
  keys: (pod) => Object.entries(pod.metadata.labels ?? {}).map(([key, value]) => `${key}=${value}`),
};

/**
 * Pods in any namespace that a plain label map selects (declare PODS_BY_LABEL): one index read
 * for the first pair, then the rest filtered. An empty map selects every pod, as Kubernetes'
 * SelectorFromSet does; that one case lists all pods.
 */
export function podsSelectedAnywhere(view: View, labels: Record<string, string> | undefined): readonly AnalysisObject[] {
  const pairs = Object.entries(labels ?? {});
  if (pairs.length === 0) return view.list(K.Pod);
  const [key, value] = pairs[0]!;
  return view.lookup('pod.label', `${key}=${value}`).filter((pod) => labelsMatch(labels, pod.metadata.labels));
}

/**
 * Pods under `namespace|key=value` for each of their labels: for selectors confined to one
 * namespace (a Service's). A pod change then re-runs only the checks reading its own namespace
 * and labels, where PODS_BY_LABEL's `app=web` would span every namespace with such an app.
 */
export const PODS_BY_NAMESPACE_LABEL: IndexDefinition = {
  id: 'pod.namespace.label',
  kind: K.Pod,
  keys: (pod) => Object.entries(pod.metadata.labels ?? {}).map(([key, value]) => `${pod.metadata.namespace ?? ''}|${key}=${value}`),
};

/**
 * Pods in `namespace` that a non-empty label map selects (declare PODS_BY_NAMESPACE_LABEL): one
 * index read for the first pair, then the rest filtered. An empty map selects none here.
 */
export function podsSelectedIn(view: View, namespace: string | undefined, labels: Record<string, string> | undefined): readonly AnalysisObject[] {
  const pairs = Object.entries(labels ?? {});
  if (pairs.length === 0) return [];
  const [key, value] = pairs[0]!;
  const pods = view.lookup(PODS_BY_NAMESPACE_LABEL.id, `${namespace ?? ''}|${key}=${value}`);
  return pairs.length === 1 ? pods : pods.filter((pod) => labelsMatch(labels, pod.metadata.labels));
}

/** The namespace Istio treats as mesh-wide (policies there apply everywhere). */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** Whether an object is of a kind (by its version-free key). */
export const isKind = (object: AnalysisObject, kind: string) => kindOf(object) === kind;

/** A label map as Kubernetes prints a selector made from it (`app=web,tier=db`, keys sorted): Istio's messages quote it so. */
export const selectorString = (labels: Record<string, string> | undefined) =>
  Object.keys(labels ?? {})
    .sort()
    .map((key) => `${key}=${labels![key]}`)
    .join(',');

interface PodSpec {
  containers?: { name?: string; image?: string }[];
  initContainers?: { name?: string; image?: string }[];
}

/**
 * Whether a pod has (or will get) a sidecar, as Istio's analyzers decide (util.PodInMesh): an
 * `istio-proxy` container with an image; else the pod's `sidecar.istio.io/inject` label, then that
 * annotation; else, when its namespace is known, that namespace's `istio-injection=enabled`.
 */
export function podInMesh(view: View, pod: AnalysisObject): boolean {
  const spec = pod.spec as PodSpec | undefined;
  if ([...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].some((c) => c.name === 'istio-proxy' && c.image)) return true;
  const fromLabel = pod.metadata.labels?.['sidecar.istio.io/inject'];
  if (fromLabel !== undefined) return fromLabel === 'true';
  const fromAnnotation = pod.metadata.annotations?.['sidecar.istio.io/inject'];
  if (fromAnnotation !== undefined) return fromAnnotation === 'true';
  const namespace = view.get(K.Namespace, undefined, pod.metadata.namespace ?? '');
  return namespace?.metadata.labels?.['istio-injection'] === 'enabled';
}

/** Whether ztunnel redirects a pod's traffic (ambient mode): Istio's `ambient.istio.io/redirection: enabled`. */
export const podInAmbientMode = (pod: AnalysisObject | undefined) => pod?.metadata.annotations?.['ambient.istio.io/redirection'] === 'enabled';

/** Whether a namespace is ambient: `istio.io/dataplane-mode: ambient` and no sidecar injection label (istio-injection=enabled or istio.io/rev). */
export function namespaceInAmbientMode(namespace: AnalysisObject | undefined): boolean {
  const labels = namespace?.metadata.labels ?? {};
  if (labels['istio-injection'] === 'enabled' || labels['istio.io/rev']) return false;
  return labels['istio.io/dataplane-mode'] === 'ambient';
}
