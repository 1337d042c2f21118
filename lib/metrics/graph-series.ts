// The graph side panel's charts: rate, 4xx/5xx share and P50/P95/P99 of one node or one edge
// of the service graph over a range, in a single batched range query (`combine`), whatever the
// node's kind. A node's or edge's id (lib/mesh/graph.ts) says which labels select it.
import { parseEdgeId, parseNodeId, type GroupBy, type NodeRef, type Protocol } from '@/lib/mesh/graph';
import { UNANSWERED } from './graph';
import { rangeQuery, type Series } from './prometheus';
import { combine, quote, split, stepFor, windowFor } from './promql';

type Role = 'source' | 'destination';

/** Matchers that select one side of a request; several alternatives are OR-ed (canonical labels, else app/version). */
type Alternatives = string[][];

const eq = (label: string, value: string) => `${label}=${quote(value)}`;

/**
 * The labels of an app (and version) on one side. Stock Istio fills `*_canonical_service` and
 * `*_canonical_revision`; older proxies and simulators only `*_app`/`*_version`: a series
 * without the canonical label is read by its app label, so none is counted twice.
 */
function appMatchers(role: Role, namespace: string, app: string, version?: string): Alternatives {
  const ns = namespace ? [eq(`${role}_workload_namespace`, namespace)] : [];
  return [
    [...ns, eq(`${role}_canonical_service`, app), ...(version ? [eq(`${role}_canonical_revision`, version)] : [])],
    [...ns, `${role}_canonical_service=""`, eq(`${role}_app`, app), ...(version ? [eq(`${role}_version`, version)] : [])],
  ];
}

/** The matchers of a graph node seen as the source or the destination of requests. */
export function nodeMatchers(node: NodeRef, role: Role, groupBy: GroupBy): Alternatives {
  switch (node.kind) {
    case 'unknown':
      return [['source_workload=~"unknown|"']];
    case 'external':
      // The graph names a host outside the mesh by destination_service (lib/mesh/graph-build.ts).
      return [[eq('destination_service', node.name)]];
    case 'service':
      // No source-side service label exists: a service calling out is its app's workloads (groupBy service).
      return role === 'destination'
        ? [[eq('destination_service_namespace', node.namespace), eq('destination_service_name', node.name)]]
        : appMatchers(role, node.namespace, node.name);
    case 'gateway':
      return [[eq(`${role}_workload_namespace`, node.namespace), eq(`${role}_workload`, node.name)]];
    case 'workload':
      return groupBy === 'workload'
        ? [[eq(`${role}_workload_namespace`, node.namespace), eq(`${role}_workload`, node.name)]]
        : appMatchers(role, node.namespace, node.name, node.version);
  }
}

/** Every pair of alternatives of the two sides: the requests of an edge. */
const both = (a: Alternatives, b: Alternatives): Alternatives => a.flatMap((x) => b.map((y) => [...x, ...y]));

/** What one chart set reads: the requests that select it. */
export interface SeriesScope {
  alternatives: Alternatives;
  protocol?: Protocol;
  /** What the charts show, for their labels. */
  describes: 'inbound' | 'outbound' | 'edge';
}

/**
 * The scope of a node's or an edge's charts. A node's charts are its inbound requests, except
 * where only outbound ones exist (callers from outside the mesh, gateways).
 */
export function seriesScope(id: string, groupBy: GroupBy): SeriesScope | undefined {
  const edge = parseEdgeId(id);
  if (edge) {
    // A service → version edge: the service's requests that this version served.
    const source = edge.source.kind === 'service' ? nodeMatchers(edge.source, 'destination', groupBy) : nodeMatchers(edge.source, 'source', groupBy);
    return { alternatives: both(source, nodeMatchers(edge.target, 'destination', groupBy)), protocol: edge.protocol, describes: 'edge' };
  }
  const node = parseNodeId(id);
  if (!node) return undefined;
  if (node.kind === 'unknown' || node.kind === 'gateway') return { alternatives: nodeMatchers(node, 'source', groupBy), describes: 'outbound' };
  return { alternatives: nodeMatchers(node, 'destination', groupBy), describes: 'inbound' };
}

/**
 * `sum by (...)` of the scope's rate of `metric`, each call counted once as the graph counts it
 * (lib/metrics/graph.ts reportedOnce): the destination's report, and the source's only where no
 * workload answered (hosts without a sidecar, requests the caller's proxy answered itself: UO,
 * UH, NR). The alternatives never select the same series.
 */
function summedRate(metric: string, scope: SeriesScope, window: string, extra: string[] = [], groups: string[] = []) {
  const rate = (reporter: string, alt: string[], more: string[]) => `rate(${metric}{${[`reporter="${reporter}"`, ...alt, ...more].join(',')}}[${window}])`;
  const parts = scope.alternatives.flatMap((alt) => [rate('destination', alt, extra), rate('source', alt, [UNANSWERED, ...extra])]);
  return `sum${groups.length ? ` by (${groups.join(', ')})` : ''} (${parts.join(' or ')})`;
}

/** Share of requests answered with a code class; 0 (not missing) while requests flow without one. */
const codeShare = (scope: SeriesScope, window: string, codes: string) => {
  const all = summedRate('istio_requests_total', scope, window);
  return `(${summedRate('istio_requests_total', scope, window, [`response_code=~"${codes}"`])} or (0 * ${all})) / ${all}`;
};

const quantile = (q: number, scope: SeriesScope, window: string) =>
  `histogram_quantile(${q}, ${summedRate('istio_request_duration_milliseconds_bucket', scope, window, [], ['le'])})`;

/** The chart set's single query: requests (or TCP bytes), 4xx and 5xx share, P50/P95/P99. */
export function graphSeriesQuery(scope: SeriesScope, window: string): string {
  if (scope.protocol === 'tcp')
    return combine({
      sent: summedRate('istio_tcp_sent_bytes_total', scope, window),
      received: summedRate('istio_tcp_received_bytes_total', scope, window),
    });
  return combine({
    rps: summedRate('istio_requests_total', scope, window),
    '4xx': codeShare(scope, window, '4..'),
    '5xx': codeShare(scope, window, '5..'),
    p50: quantile(0.5, scope, window),
    p95: quantile(0.95, scope, window),
    p99: quantile(0.99, scope, window),
  });
}

export interface GraphSeries {
  /** The PromQL rate window, the step and the time range [start, end] in seconds. */
  window: string;
  step: number;
  start: number;
  end: number;
  describes: SeriesScope['describes'];
  /** Requests per second, or for TCP bytes per second sent and received; each series' metric.kpi names it. */
  rate: Series[];
  /** rps, or for TCP bytes per second (a count per second). */
  unit: 'rps' | 'count';
  errors: Series[];
  latency: Series[];
}

/** The charts of one node or edge over the last `seconds`, in one range query. */
export async function graphSeries(scope: SeriesScope, seconds: number, end = Math.floor(Date.now() / 1000)): Promise<GraphSeries> {
  const window = windowFor(seconds);
  const step = stepFor(seconds);
  const start = end - seconds;
  const parts = split(await rangeQuery(graphSeriesQuery(scope, window), start, end, step));
  const pick = (...keys: string[]) => keys.flatMap((k) => parts[k] ?? []);
  const tcp = scope.protocol === 'tcp';
  return {
    window,
    step,
    start,
    end,
    describes: scope.describes,
    rate: tcp ? pick('sent', 'received') : pick('rps'),
    unit: tcp ? 'count' : 'rps',
    errors: pick('4xx', '5xx'),
    latency: pick('p50', 'p95', 'p99'),
  };
}

/** The namespace a person must be able to see for these charts: the node's, or the edge's destination's (else its source's); none for hosts outside the mesh. */
export function scopeNamespace(id: string): string | undefined {
  const edge = parseEdgeId(id);
  return (edge ? edge.target.namespace || edge.source.namespace : parseNodeId(id)?.namespace) || undefined;
}
