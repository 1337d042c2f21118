// What the graph's side panel says about the selected node or edge, in words and links. Pure:
// the panel's components render these, the tests read them.
import { formatMs, formatNumber, formatPercent, formatRate } from '@/lib/format';
import { errorShare, parseNodeId, type GraphEdge, type GraphNode, type GroupBy, type MeshGraph, type NodeKind } from '@/lib/mesh/graph';
import { selectorMatches, type LabelSelector } from '@/lib/mesh/selectors';
import { objectHref, pageHref } from '@/lib/navigation';
import { traceSearchHref } from '@/lib/queries/traces';

/** Envoy's response flags (Envoy access log `%RESPONSE_FLAGS%`, Istio's `response_flags` label) and what they mean for an operator. */
export const RESPONSE_FLAGS: Record<string, string> = {
  UO: 'upstream overflow: the circuit breaker (connection pool limit) refused the request',
  UH: 'no healthy upstream: every host is ejected (outlier detection) or none is ready',
  UT: 'upstream request timeout',
  RL: 'rate limited (local or global rate limit)',
  NR: 'no route: no route or no filter chain matched the request',
  UC: 'upstream connection termination',
  UF: 'upstream connection failure',
  URX: 'retries exhausted: the retry limit (HTTP) or the connection attempts (TCP) ran out',
  UR: 'upstream remote reset',
  LR: 'connection reset locally',
  DC: 'downstream connection termination: the caller went away',
  FI: 'fault injection aborted the request (VirtualService fault.abort)',
  DI: 'fault injection delayed the request (VirtualService fault.delay)',
  NC: 'upstream cluster not found',
  DT: 'the request took longer than its maximum stream duration',
  LH: 'the local service failed its health check',
  SI: 'stream idle timeout',
  IH: 'refused: an invalid value in a strictly checked header',
  DPE: 'downstream protocol error',
  UPE: 'upstream protocol error',
  UMSDR: 'upstream request reached its maximum stream duration',
  UAEX: 'refused by external authorization',
  RLSE: 'refused because the rate limit service failed',
  OM: 'overload manager terminated the request',
  DF: 'DNS resolution failed',
  DO: 'dropped by overload (drop_overloads)',
};

/** Flags that a circuit breaker raises: the panel's Breakers section and the edge's flag list mark them. */
export const BREAKER_FLAGS = new Set(['UO', 'UH']);

export interface FlagReading {
  flag: string;
  rps: number;
  meaning: string;
  breaker: boolean;
}

/**
 * An edge's response flags, busiest first, each with its meaning. A label value may join several
 * flags (`UO,URX`): each is explained.
 */
export function describeFlags(flags: Record<string, number>): FlagReading[] {
  return Object.entries(flags)
    .filter(([flag, rps]) => flag !== '-' && rps > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([flag, rps]) => {
      const parts = flag.split(',').map((f) => f.trim());
      return {
        flag,
        rps,
        meaning: parts.map((f) => RESPONSE_FLAGS[f] ?? `${f}: an Envoy response flag this console does not describe`).join('; '),
        breaker: parts.some((f) => BREAKER_FLAGS.has(f)),
      };
    });
}

const KIND_WORDS: Record<NodeKind, string> = {
  workload: 'Workload',
  service: 'Service',
  gateway: 'Gateway',
  unknown: 'Callers outside the mesh',
  external: 'External host',
};

/** The node's kind in words; a workload node is an app (or a version of one) unless grouped by workload. */
export function kindWord(node: GraphNode, groupBy: GroupBy): string {
  if (node.kind !== 'workload') return KIND_WORDS[node.kind];
  if (groupBy === 'workload') return 'Workload';
  return versionOfNode(node) ? 'App version' : 'App';
}

/** The version a node stands for: only a versioned app's id carries one (a workload's `version` is a label it has, not its grouping). */
const versionOfNode = (node: Pick<GraphNode, 'id'>) => parseNodeId(node.id)?.version;

/** The node's name as the graph shows it: `name version` for a version of an app. */
export function nodeName(node: Pick<GraphNode, 'id' | 'name' | 'kind'>): string {
  const version = versionOfNode(node);
  return node.kind === 'unknown' ? 'unknown' : version ? `${node.name} ${version}` : node.name;
}

/** "App version shop/cart v2", the panel's heading. */
export function nodeTitle(node: GraphNode, groupBy: GroupBy): string {
  const where = node.namespace ? `${node.namespace}/` : '';
  return node.kind === 'unknown' ? KIND_WORDS.unknown : `${kindWord(node, groupBy)} ${where}${nodeName(node)}`;
}

/** A node named where a sentence needs it: `cart v2 (shop)`. */
export const nodeLabel = (node: GraphNode | undefined, fallbackId: string) =>
  node ? `${nodeName(node)}${node.namespace ? ` (${node.namespace})` : ''}` : fallbackId;

/**
 * A node's error share: of the requests into it, or for nodes that only call out (gateways, callers
 * outside the mesh) of the requests out of it, weighted by each edge's rate.
 */
export function nodeErrorRatio(graph: MeshGraph, node: GraphNode): number {
  if (node.traffic.inRps > 0 || node.traffic.outRps === 0) return node.traffic.errorRatio;
  const out = graph.edges.filter((e) => e.source === node.id && e.protocol !== 'tcp');
  const rps = out.reduce((sum, e) => sum + e.rps, 0);
  return rps > 0 ? out.reduce((sum, e) => sum + e.rps * errorShare(e), 0) / rps : 0;
}

/** Rate of an edge: requests/s, or bytes/s for TCP. */
export const edgeRate = (edge: GraphEdge) => (edge.protocol === 'tcp' ? `${formatNumber(edge.tcpBytesPerSecond ?? 0)} B/s` : formatRate(edge.rps));

export type MtlsReading = { text: string; plaintext: boolean };

/** The mTLS share of an edge, with a plaintext warning under 100 %; unknown without a destination proxy. */
export function mtlsReading(edge: Pick<GraphEdge, 'mtls'>): MtlsReading {
  if (edge.mtls === null) return { text: 'unknown: no proxy at the destination reports it', plaintext: false };
  if (edge.mtls >= 1) return { text: '100% mutual TLS', plaintext: false };
  return { text: `${formatPercent(edge.mtls)} mutual TLS: ${formatPercent(1 - edge.mtls)} of requests are plaintext`, plaintext: true };
}

/** An edge's numbers in one line each, for the panel's definition list. */
export function edgeFacts(edge: GraphEdge): { term: string; value: string }[] {
  const facts = [
    { term: 'Protocol', value: edge.protocol.toUpperCase() },
    { term: edge.protocol === 'tcp' ? 'Bytes' : 'Requests', value: `${edgeRate(edge)}` },
  ];
  if (edge.protocol !== 'tcp')
    facts.push(
      { term: 'Errors', value: `${formatPercent(errorShare(edge))} (4xx ${formatPercent(edge.errors4xx)}, 5xx ${formatPercent(edge.errors5xx)})` },
      { term: 'P95', value: edge.p95 === null ? 'no latency data' : formatMs(edge.p95) },
    );
  return facts;
}

export interface SplitRow {
  version: string;
  /** The weight a VirtualService declares for it (percent), null when none declares one. */
  declared: number | null;
  /** Its share of the service's requests now (0..1), null when no traffic reached it. */
  observed: number | null;
}

/** A service's split: the declared weights next to the observed shares of its edges toward each version. */
export function splitRows(graph: MeshGraph, service: GraphNode): SplitRow[] {
  const rows = new Map<string, SplitRow>();
  for (const w of service.decoration.weights ?? []) rows.set(w.version, { version: w.version, declared: w.weight, observed: null });
  const byId = nodesById(graph);
  for (const edge of graph.edges) {
    if (edge.source !== service.id || edge.share === undefined) continue;
    const target = byId.get(edge.target);
    // Grouped by app, one edge reaches the whole app: no share per version to show.
    const version = target && target.version;
    if (!version) continue;
    const row = rows.get(version) ?? { version, declared: null, observed: null };
    rows.set(version, { ...row, observed: (row.observed ?? 0) + edge.share });
  }
  return [...rows.values()].sort((a, b) => a.version.localeCompare(b.version));
}

const nodeIndex = new WeakMap<MeshGraph, Map<string, GraphNode>>();
/** The graph's nodes by id, made once per graph answer. */
export function nodesById(graph: MeshGraph): Map<string, GraphNode> {
  let index = nodeIndex.get(graph);
  if (!index) nodeIndex.set(graph, (index = new Map(graph.nodes.map((n) => [n.id, n]))));
  return index;
}

/** The service a node stands for: the name its VirtualServices, DestinationRules and traces use. */
export function serviceOf(node: GraphNode): string | undefined {
  if (node.kind === 'unknown' || node.kind === 'external') return undefined;
  return node.app ?? node.name;
}

/** The Traces page searching the node's traces over `lookback`, only failed ones with `errors`, one version's with its revision. */
export function tracesHref(node: GraphNode, lookback: string, errors: boolean): string | undefined {
  const service = serviceOf(node);
  if (!service || !node.namespace) return undefined;
  const tags = {
    ...(node.version ? { 'istio.canonical_revision': node.version } : {}),
    ...(errors ? { error: 'true' } : {}),
  };
  return traceSearchHref(
    node.namespace,
    { namespace: node.namespace, service },
    { lookback, ...(Object.keys(tags).length ? { tags: JSON.stringify(tags) } : {}) },
  );
}

/** `namespace/name` → the object's parts; a bare name lives in `namespace`. */
export function objectRef(ref: string, namespace: string): { namespace: string; name: string } {
  const slash = ref.indexOf('/');
  return slash < 0 ? { namespace, name: ref } : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

/** The Traffic page filtered to a VirtualService's routes, each with its split's sliders. */
export const splitHref = (ref: string, namespace: string) => objectHref({ kind: 'VirtualService', ...objectRef(ref, namespace) });

/** The Resilience page with a DestinationRule's row opened (its connection pool and outlier detection). */
export const ruleHref = (ref: string, namespace: string) => objectHref({ kind: 'DestinationRule', ...objectRef(ref, namespace) });

/** The Security page of a namespace. */
export const securityHref = (namespace: string) => pageHref('/security', { namespace });

export interface BreakerReading {
  configured: string;
  tripped: boolean;
  /** Why it reads tripped (or not), from the telemetry. */
  evidence: string;
}

/** Is a breaker configured, and did it trip (UO/UH answers toward the node, ejected hosts)? */
export function breakerReading(node: GraphNode, ejectedHosts: number | null | undefined): BreakerReading {
  const b = node.decoration.breaker;
  const parts = b ? [b.connectionPool && 'connection pool limits', b.outlierDetection && 'outlier detection'].filter(Boolean) : [];
  const configured = parts.length
    ? `Configured: ${parts.join(' and ')}`
    : 'No circuit breaker configured (no connectionPool or outlierDetection in a DestinationRule)';
  const uo = node.tripped?.uo ?? 0;
  const uh = node.tripped?.uh ?? 0;
  const ejected = ejectedHosts ?? 0;
  const signs = [
    uo > 0 && `UO ${formatRate(uo)}: requests refused by the connection pool limit`,
    uh > 0 && `UH ${formatRate(uh)}: no healthy upstream, hosts ejected`,
    ejected > 0 && `${formatNumber(ejected)} host${ejected === 1 ? '' : 's'} ejected now`,
  ].filter((s): s is string => Boolean(s));
  return {
    configured,
    tripped: signs.length > 0,
    evidence: signs.length ? signs.join('; ') : 'No UO or UH answers toward it in this window',
  };
}

/** The parts of the Security API's answer the panel reads (lib/k8s/security.ts securityView). */
export interface SecurityWorkload {
  workload: { namespace: string; name: string; labels: Record<string, string> };
  mode: { mode: string; source: string };
}
export interface SecurityPolicy {
  namespace: string;
  name: string;
  action: string;
  workloads: string;
  selector?: LabelSelector;
  rules: { who: string; what: string; when: string }[];
}

const appOf = (labels: Record<string, string>) => labels['service.istio.io/canonical-name'] ?? labels.app;
const versionOf = (labels: Record<string, string>) => labels['service.istio.io/canonical-revision'] ?? labels.version;

/** The Deployments behind a node, from the Security answer's workloads: by name grouped by workload, else by app (and version) label. */
export function workloadsOfNode(node: GraphNode, groupBy: GroupBy, workloads: SecurityWorkload[]): SecurityWorkload[] {
  return workloads.filter(({ workload: w }) => {
    if (w.namespace !== node.namespace) return false;
    if (groupBy === 'workload' && node.kind !== 'service') return w.name === node.name;
    return appOf(w.labels) === (node.app ?? node.name) && (!node.version || versionOf(w.labels) === node.version);
  });
}

/**
 * The AuthorizationPolicies that select any of the node's workloads: its namespace's (selector
 * matching, or none) and the mesh root's. Without a Deployment found, its app/version labels stand in.
 */
export function policiesSelecting(node: GraphNode, workloads: SecurityWorkload[], policies: SecurityPolicy[], rootNamespace: string): SecurityPolicy[] {
  const labelSets = workloads.length
    ? workloads.map((w) => w.workload.labels)
    : [{ app: node.app ?? node.name, ...(node.version ? { version: node.version } : {}) }];
  const seen = new Set<string>();
  return policies.filter((p) => {
    const key = `${p.namespace}/${p.name}`;
    if (seen.has(key) || (p.namespace !== node.namespace && p.namespace !== rootNamespace)) return false;
    seen.add(key);
    return labelSets.some((labels) => selectorMatches(p.selector, labels));
  });
}
