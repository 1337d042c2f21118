// The service graph: telemetry from Prometheus (lib/metrics/graph.ts) folded into nodes and
// edges (lib/mesh/graph-build.ts), decorated from the watch caches only: never a LIST per
// request. Each decoration source degrades on its own: with the Kubernetes API down the graph
// is still drawn from Prometheus and says what it lacks; without Prometheus there is no graph.
import { K } from '@/lib/analysis/kinds';
import { fqdn, hostSubsetOf } from '@/lib/analysis/lookups';
import type { Finding } from '@/lib/analysis/types';
import { emergencyOf } from '@/lib/mesh/emergency';
import type { GraphNode, GraphWindow, GroupBy, MeshGraph, NodeDecoration } from '@/lib/mesh/graph';
import { buildGraph, type BuildContext } from '@/lib/mesh/graph-build';
import { scopeMode, workloadMode } from '@/lib/mesh/mtls';
import type { PeerAuthentication } from '@/lib/mesh/security-types';
import type { DestinationRule, HTTPRouteDestination, VirtualService } from '@/lib/mesh/types';
import { graphSamples } from '@/lib/metrics/graph';
import { startedAnalysis, type ClusterAnalysis } from './analysis';
import { cacheFor } from './caches';
import { ApiError, toApiError } from './errors';
import * as r from './resources';
import { rootNamespace } from './security';

export type PodMeta = {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
};
type ServiceEntry = { metadata: { name: string; namespace: string }; spec?: { hosts?: string[] } };
type Emergency = NonNullable<NodeDecoration['emergency']>;

/** How long the graph waits for an analysis that is still loading before answering without findings. */
const FINDINGS_WAIT_MS = 250;

const GATEWAY_LABELS = { istio: new Set(['ingressgateway', 'egressgateway']), gatewayApi: 'gateway.networking.k8s.io/gateway-name' };

/** The workload a pod belongs to, as Istio names it: its ReplicaSet's Deployment, else its owner, else itself. */
function workloadOf(pod: PodMeta): string {
  const owner = pod.metadata.ownerReferences?.[0];
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (owner?.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1);
  return owner?.name ?? pod.metadata.name;
}

/** What the pods cache says about workloads: the gateways, and each workload's labels (for its mTLS mode). */
export function indexPods(pods: PodMeta[]) {
  const gateways = new Set<string>();
  const labels = new Map<string, Record<string, string>>(); // `ns|workload` and `ns|app|version` → a pod's labels
  for (const pod of pods) {
    const l = pod.metadata.labels ?? {};
    const ns = pod.metadata.namespace;
    const workload = workloadOf(pod);
    const app = l['service.istio.io/canonical-name'] ?? l['app.kubernetes.io/name'] ?? l.app ?? workload;
    const version = l['service.istio.io/canonical-revision'] ?? l['app.kubernetes.io/version'] ?? l.version ?? 'latest';
    labels.set(`${ns}|${workload}`, l);
    labels.set(`${ns}|${app}|${version}`, l);
    labels.set(`${ns}|${app}|`, l);
    if (GATEWAY_LABELS.istio.has(l.istio ?? '') || l[GATEWAY_LABELS.gatewayApi]) for (const name of new Set([workload, app])) gateways.add(`${ns}/${name}`);
  }
  return { gateways, labels };
}

/** Objects by the hosts they name (FQDNs in their namespace); wildcard hosts kept apart and matched as Istio does. */
class HostIndex<T> {
  private exact = new Map<string, Set<T>>();
  private wildcards: [string, T][] = [];
  /** Adds an object under a host it names; an object naming a host twice (in hosts and in a route) is kept once. */
  add(host: string, namespace: string, item: T) {
    const name = fqdn(host, namespace);
    if (name.startsWith('*')) this.wildcards.push([name, item]);
    else (this.exact.get(name) ?? this.exact.set(name, new Set()).get(name)!).add(item);
  }
  get(host: string): T[] {
    const found = new Set(this.exact.get(host));
    for (const [pattern, item] of this.wildcards) if (hostSubsetOf(host, pattern)) found.add(item);
    return [...found];
  }
}

const key = (o: { metadata: { namespace: string; name: string } }) => `${o.metadata.namespace}/${o.metadata.name}`;
/** Circuit breaking declared by any of these traffic policies, or undefined when none declares it. */
function anyPolicy(policies: (Record<string, unknown> | undefined)[]): NodeDecoration['breaker'] {
  const connectionPool = policies.some((p) => !!p?.connectionPool);
  const outlierDetection = policies.some((p) => !!p?.outlierDetection);
  return connectionPool || outlierDetection ? { connectionPool, outlierDetection } : undefined;
}

/** The VirtualService is the host's own (names it in its hosts), not one that only routes to it. */
const namesHost = (vs: VirtualService, host: string) => (vs.spec.hosts ?? []).some((h) => fqdn(h, vs.metadata.namespace) === host);

/** Lexicographic order of scores: the first differing place decides. */
function ranksAbove(a: number[], b: number[]): boolean {
  const i = a.findIndex((v, j) => v !== b[j]);
  return i >= 0 && a[i]! > b[i]!;
}

/**
 * The weights declared toward `host`, by version (subset → version through the DestinationRule's
 * subset labels). The split is the route that catches what no match takes when there is one, else
 * the route with the most destinations to the host (the later one on a tie: default routes come
 * last); the service's own VirtualServices before those that only route to it (gateways').
 */
function declaredWeights(services: VirtualService[], rules: DestinationRule[], host: string): NodeDecoration['weights'] {
  const versionOf = new Map<string, string>();
  for (const rule of rules) for (const s of rule.spec.subsets ?? []) versionOf.set(s.name, s.labels?.version ?? s.labels?.['service.istio.io/canonical-revision'] ?? s.name);
  let best: { score: number[]; destinations: HTTPRouteDestination[] } | undefined;
  for (const vs of services) {
    (vs.spec.http ?? []).forEach((route, index) => {
      const destinations = (route.route ?? []).filter((d) => d.destination.subset && fqdn(d.destination.host, vs.metadata.namespace) === host);
      if (!destinations.length) return;
      const score = [namesHost(vs, host) ? 1 : 0, route.match?.length ? 0 : 1, destinations.length, index];
      if (!best || ranksAbove(score, best.score)) best = { score, destinations };
    });
  }
  if (!best) return undefined;
  const weights = new Map<string, number>();
  const single = best.destinations.length === 1;
  for (const d of best.destinations) {
    const version = versionOf.get(d.destination.subset!) ?? d.destination.subset!;
    weights.set(version, (weights.get(version) ?? 0) + (d.weight ?? (single ? 100 : 0)));
  }
  return [...weights].map(([version, weight]) => ({ version, weight }));
}

const countFindings = (findings: readonly Finding[]) => {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.level === 'Error' ? 'error' : f.level === 'Warning' ? 'warning' : 'info']++;
  return counts;
};

/**
 * How long the graph waits for a watch cache's first list. An API server that does not answer
 * would hold the graph for the list's own timeout (a minute); the cache keeps trying for later requests.
 */
const DECORATION_WAIT_MS = 3_000;

/** A source of decoration, read on its own: its failure (or silence) is a sentence in `degraded`, never a failed graph. */
async function settle<T>(what: string, read: () => Promise<T>): Promise<{ value?: T; problem?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the Kubernetes API did not answer within ${DECORATION_WAIT_MS / 1000} s`)), DECORATION_WAIT_MS);
  });
  try {
    return { value: await Promise.race([read(), silence]) };
  } catch (error) {
    return { problem: `${what}: ${toApiError(error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The analysis, if something already started it and it is ready within a moment; never starts it. */
async function runningAnalysis(): Promise<{ analysis?: ClusterAnalysis; problem?: string }> {
  const started = startedAnalysis();
  if (!started) return { problem: 'The configuration analysis is not running yet (open the Validation page to start it): no findings on the graph' };
  const timer = new Promise<undefined>((resolve) => setTimeout(resolve, FINDINGS_WAIT_MS));
  try {
    const analysis = await Promise.race([started, timer]);
    return analysis ? { analysis } : { problem: 'The configuration analysis is still loading: findings appear on a later refresh' };
  } catch (error) {
    return { problem: `The configuration analysis failed: ${toApiError(error).message}` };
  }
}

export interface GraphRequest {
  namespaces: string[];
  window: GraphWindow;
  groupBy: GroupBy;
}

/** The service graph of the namespaces asked for ([] = the whole mesh). */
export async function meshGraph({ namespaces, window, groupBy }: GraphRequest): Promise<MeshGraph> {
  const [telemetry, pods, entries, vss, drs, pas, findings] = await Promise.all([
    graphSamples(namespaces, window).catch((error: unknown) => {
      const e = toApiError(error);
      // A rejected query is ours to fix, not the caller's: a bad gateway, not a bad request.
      throw new ApiError(e.status === 400 ? 502 : e.status, `The graph is drawn from Prometheus' Istio metrics: ${e.message}`, e.status === 400 ? 'BadGateway' : e.reason);
    }),
    settle('Pods (gateways, mTLS per workload)', async () => (await cacheFor<PodMeta>(r.pods, { metadataOnly: true })).list()),
    settle('ServiceEntries (external hosts)', async () => (await cacheFor<ServiceEntry>(r.serviceEntries)).list()),
    settle('VirtualServices (routes, split weights)', async () => (await cacheFor<VirtualService>(r.virtualServices)).list()),
    settle('DestinationRules (subsets, circuit breakers)', async () => (await cacheFor<DestinationRule>(r.destinationRules)).list()),
    settle('PeerAuthentications (mTLS mode, emergencies)', async () => (await cacheFor<PeerAuthentication & { metadata: { generation?: number } }>(r.peerAuthentications)).list()),
    runningAnalysis(),
  ]);
  const podIndex = pods.value ? indexPods(pods.value) : undefined;
  const context: BuildContext = {
    gateways: podIndex?.gateways,
    serviceEntryHosts: entries.value ? new Set(entries.value.flatMap((se) => (se.spec?.hosts ?? []).map((h) => fqdn(h, se.metadata.namespace)))) : undefined,
  };
  const { nodes, edges } = buildGraph(telemetry.samples, groupBy, context);
  decorate(nodes, groupBy, { vs: vss.value, dr: drs.value, pa: pas.value, podLabels: podIndex?.labels, analysis: findings.analysis });

  const problems = [pods, entries, vss, drs, pas].flatMap((s) => (s.problem ? [s.problem] : []));
  const degraded: MeshGraph['degraded'] = {
    ...(problems.length ? { decoration: `Drawn from Prometheus alone where the cluster could not be read. ${problems.join('; ')}` } : {}),
    ...(findings.problem ? { findings: findings.problem } : {}),
    ...(telemetry.latencyProblem ? { latency: telemetry.latencyProblem } : {}),
  };
  return {
    generatedAt: telemetry.time.toISOString(),
    window,
    groupBy,
    namespaces,
    nodes,
    edges,
    queries: telemetry.queries,
    ...(Object.keys(degraded).length ? { degraded } : {}),
  };
}

export interface DecorationSources {
  vs?: VirtualService[];
  dr?: DestinationRule[];
  pa?: (PeerAuthentication & { metadata: { generation?: number } })[];
  podLabels?: Map<string, Record<string, string>>;
  analysis?: ClusterAnalysis;
}

/** Fills each node's decoration from what could be read (one pass over each kind, then lookups per node). */
export function decorate(nodes: GraphNode[], groupBy: GroupBy, sources: DecorationSources): void {
  const vsByHost = new HostIndex<VirtualService>();
  for (const vs of sources.vs ?? []) {
    for (const host of vs.spec.hosts ?? []) vsByHost.add(host, vs.metadata.namespace, vs);
    for (const route of vs.spec.http ?? []) for (const d of route.route ?? []) vsByHost.add(d.destination.host, vs.metadata.namespace, vs);
  }
  const drByHost = new HostIndex<DestinationRule>();
  for (const dr of sources.dr ?? []) drByHost.add(dr.spec.host, dr.metadata.namespace, dr);

  const root = rootNamespace();
  const policies = sources.pa;
  // An emergency lives on a namespace-wide policy; the root namespace's covers namespaces without a mode of their own.
  const emergencies = new Map<string, Emergency>();
  const ownMode = new Set<string>();
  for (const pa of policies ?? []) {
    if (pa.spec.selector?.matchLabels) continue;
    if (pa.spec.mtls?.mode && pa.spec.mtls.mode !== 'UNSET') ownMode.add(pa.metadata.namespace);
    const state = emergencyOf(pa);
    if (state) emergencies.set(pa.metadata.namespace, { revertAt: state.revertAt, reason: state.reason });
  }
  const emergencyOver = (namespace: string) => emergencies.get(namespace) ?? (ownMode.has(namespace) ? undefined : emergencies.get(root));
  const findingsOf = (kind: string, namespace: string, name: string) => sources.analysis?.findingsFor(kind, namespace, name) ?? [];

  for (const node of nodes) {
    const d: NodeDecoration = {};
    const host = node.host;
    if (host && (node.kind === 'service' || node.kind === 'external')) {
      const vs = vsByHost.get(host);
      const dr = drByHost.get(host);
      if (sources.vs) d.virtualServices = vs.map(key).sort();
      if (sources.dr) {
        d.destinationRules = dr.map(key).sort();
        const breaker = anyPolicy(dr.flatMap((rule) => [rule.spec.trafficPolicy, ...(rule.spec.subsets ?? []).map((s) => s.trafficPolicy)]));
        if (breaker) d.breaker = breaker;
      }
      if (sources.vs && sources.dr) {
        const weights = declaredWeights(vs, dr, host);
        if (weights) d.weights = weights;
      }
      if (sources.analysis && node.kind === 'service') {
        d.findings = countFindings([
          ...findingsOf(K.Service, node.namespace, node.name),
          // The service's own VirtualServices: a gateway's, routing to many services, would count on each.
          ...vs.filter((v) => namesHost(v, host)).flatMap((v) => findingsOf(K.VirtualService, v.metadata.namespace, v.metadata.name)),
          ...dr.flatMap((rule) => findingsOf(K.DestinationRule, rule.metadata.namespace, rule.metadata.name)),
        ]);
      }
    }
    if (node.kind === 'workload' || node.kind === 'gateway') {
      const labels =
        node.kind === 'gateway' || groupBy === 'workload'
          ? sources.podLabels?.get(`${node.namespace}|${node.name}`)
          : sources.podLabels?.get(`${node.namespace}|${node.app ?? node.name}|${node.version ?? ''}`);
      if (policies) {
        const mode = labels ? workloadMode(policies, root, { namespace: node.namespace, name: node.name, labels, ports: [] }).mode : scopeMode(policies, root, node.namespace);
        d.mtlsMode = mode.mode;
      }
      if (sources.analysis && groupBy === 'workload' && node.kind === 'workload') d.findings = countFindings(findingsOf(K.Deployment, node.namespace, node.name));
    } else if (node.kind === 'service' && policies) {
      d.mtlsMode = scopeMode(policies, root, node.namespace).mode;
    }
    if (policies && node.namespace) {
      const emergency = emergencyOver(node.namespace);
      if (emergency) d.emergency = emergency;
    }
    node.decoration = d;
  }
  if (sources.dr) decorateVersionBreakers(nodes, drByHost);
}

/** A version node's breaker: the DestinationRule subset that selects its version, else the rule's own policy. */
function decorateVersionBreakers(nodes: GraphNode[], drByHost: HostIndex<DestinationRule>): void {
  for (const node of nodes) {
    if (node.kind !== 'workload' || !node.app) continue;
    const rules = drByHost.get(`${node.app}.${node.namespace}.svc.cluster.local`);
    const breaker = anyPolicy(
      rules.map((rule) => {
        const subset = rule.spec.subsets?.find((s) => node.version !== undefined && (s.labels?.version ?? s.name) === node.version);
        return subset?.trafficPolicy ?? rule.spec.trafficPolicy;
      }),
    );
    if (breaker) node.decoration.breaker = breaker;
  }
}
