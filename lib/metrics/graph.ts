// The service graph's telemetry: three instant queries, whatever the number of namespaces or
// services (kiali#5743 issues more as namespaces are added). Each query answers for the whole
// view at once, with workload-level labels; lib/mesh/graph-build.ts folds the answers into nodes
// and edges for the chosen grouping.
import type { GraphSamples, MetricSample } from '@/lib/mesh/graph-build';
import type { GraphWindow } from '@/lib/mesh/graph';
import { instantQueryAt } from './prometheus';
import { combine, quote, split } from './promql';

/** Who calls: the source workload and its canonical service/revision (app/version on meshes without them). */
export const SOURCE_LABELS = [
  'source_workload_namespace',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'source_app',
  'source_version',
] as const;
/** Which service is called. */
export const SERVICE_LABELS = ['destination_service_namespace', 'destination_service_name', 'destination_service'] as const;
/** Which workload answered ("unknown" when no destination workload was reached). */
export const DESTINATION_LABELS = [
  'destination_workload_namespace',
  'destination_workload',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_app',
  'destination_version',
] as const;
const EDGE = [...SOURCE_LABELS, ...SERVICE_LABELS, ...DESTINATION_LABELS];

/**
 * gRPC status codes by the HTTP class Envoy maps them to (grpcToHttpStatus): CANCELLED 499,
 * INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE 400, NOT_FOUND 404, ALREADY_EXISTS and
 * ABORTED 409, PERMISSION_DENIED 403, RESOURCE_EXHAUSTED 429, UNAUTHENTICATED 401; UNKNOWN,
 * INTERNAL, DATA_LOSS 500, DEADLINE_EXCEEDED 504, UNIMPLEMENTED 501, UNAVAILABLE 503.
 */
export const GRPC_CLIENT_ERRORS = '1|3|5|6|7|8|9|10|11|16';
export const GRPC_SERVER_ERRORS = '2|4|12|13|14|15';

const by = (labels: readonly string[]) => `by (${labels.join(', ')})`;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The namespace filter as alternative matchers: a series belongs to the view when its caller's
 * namespace OR its service's namespace is asked for. [''] (no matcher) for the whole mesh.
 */
export function namespaceMatchers(namespaces: readonly string[]): string[] {
  if (!namespaces.length) return [''];
  const set = quote(namespaces.map(escapeRegex).join('|'));
  return [`source_workload_namespace=~${set}`, `destination_service_namespace=~${set}`];
}

/**
 * The rate of `metric` over the view: one rate per alternative matcher, joined with `or` (a series
 * matching both alternatives is the same series on both sides, so `or` keeps it once).
 */
export function viewRate(metric: string, matchers: readonly string[], window: GraphWindow, namespaces: readonly string[]): string {
  const rates = namespaceMatchers(namespaces).map((ns) => {
    const all = [...matchers, ns].filter(Boolean);
    return `rate(${metric}${all.length ? `{${all.join(',')}}` : ''}[${window}])`;
  });
  return rates.length === 1 ? rates[0]! : `(${rates.join(' or ')})`;
}

/** The source's reports that no destination proxy also made: no workload answered the call. */
export const UNANSWERED = 'destination_workload="unknown"';

/**
 * The rate of `metric` over the view, each call counted once: from the destination's report (it
 * carries connection_security_policy), and from the source's only where no workload answered
 * (`destination_workload="unknown"`: external hosts, requests the caller's proxy refused: UO, UH,
 * NR), which no destination proxy reports. Cheaper than dropping the source's duplicates with
 * `unless` (that reads every source series and the destination's twice: 3 times the samples at 3,000 calls).
 */
export function reportedOnce(metric: string, matchers: readonly string[], window: GraphWindow, namespaces: readonly string[]): string {
  const destination = viewRate(metric, ['reporter="destination"', ...matchers], window, namespaces);
  const unanswered = viewRate(metric, ['reporter="source"', UNANSWERED, ...matchers], window, namespaces);
  return `${destination} or ${unanswered}`;
}

/**
 * Query 1, requests: requests/s per call, its 4xx and 5xx rates (gRPC failures by their status),
 * and its rate per Envoy response flag, in one query (parts told apart by a `kpi` label).
 */
export function requestsQuery(namespaces: readonly string[], window: GraphWindow): string {
  const rate = (...matchers: string[]) => reportedOnce('istio_requests_total', matchers, window, namespaces);
  // gRPC fails inside an HTTP 200: its grpc_response_status says how (only where the HTTP status did not already).
  const grpcFailures = (codes: string) => rate('request_protocol="grpc"', 'response_code!~"[45].."', `grpc_response_status=~"${codes}"`);
  return combine({
    rps: `sum ${by(['reporter', ...EDGE, 'request_protocol', 'connection_security_policy'])} (${rate()})`,
    e4: `sum ${by(['reporter', ...EDGE, 'request_protocol'])} (${rate('response_code=~"4.."')} or ${grpcFailures(GRPC_CLIENT_ERRORS)})`,
    e5: `sum ${by(['reporter', ...EDGE, 'request_protocol'])} (${rate('response_code=~"5.."')} or ${grpcFailures(GRPC_SERVER_ERRORS)})`,
    flags: `sum ${by(['reporter', ...EDGE, 'request_protocol', 'response_flags'])} (${rate('response_flags!="-"', 'response_flags!=""')})`,
  });
}

/**
 * Query 2, latency: P95 of calls into each service per caller, and of each service's calls into
 * each workload behind it, from istio_request_duration_milliseconds. Histograms are the largest
 * series set (a score of buckets per call and reporter), so each is read from the destination's
 * report, plus the caller's only where no workload answered (`destination_workload="unknown"`:
 * external hosts, requests its proxy refused); the reporter is kept for the builder to tell them apart.
 */
export function latencyQuery(namespaces: readonly string[], window: GraphWindow): string {
  const bucket = 'istio_request_duration_milliseconds_bucket';
  const p95 = (labels: readonly string[], rates: string) => `histogram_quantile(0.95, sum ${by(['reporter', ...labels, 'request_protocol', 'le'])} (${rates}))`;
  return combine({
    caller: p95([...SOURCE_LABELS, ...SERVICE_LABELS], reportedOnce(bucket, [], window, namespaces)),
    // Toward a workload: only a destination proxy reports one.
    callee: p95([...SERVICE_LABELS, ...DESTINATION_LABELS], viewRate(bucket, ['reporter="destination"'], window, namespaces)),
  });
}

/**
 * Query 3, TCP: bytes/s sent plus received per call. The two counters are summed in one
 * aggregation; the received side carries a label of its own until then, since two rates of one
 * labelset cannot share a vector.
 */
export function tcpQuery(namespaces: readonly string[], window: GraphWindow): string {
  const sent = viewRate('istio_tcp_sent_bytes_total', [], window, namespaces);
  const received = `label_replace(${viewRate('istio_tcp_received_bytes_total', [], window, namespaces)}, "tcp_direction", "received", "", "")`;
  return `sum ${by(['reporter', ...EDGE, 'connection_security_policy'])} (${sent} or ${received})`;
}

/** Every query of one graph, in the order they are issued: the README lists them. */
export const graphQueries = (namespaces: readonly string[], window: GraphWindow) => [
  requestsQuery(namespaces, window),
  latencyQuery(namespaces, window),
  tcpQuery(namespaces, window),
];

export interface GraphTelemetry {
  samples: GraphSamples;
  /** The PromQL queries this answer issued: 0 when it shares an answer read for another request. */
  queries: number;
  /** The instant Prometheus evaluated the queries at. */
  time: Date;
  /** Why the answer has no P95 (the latency query is still running, or failed); undefined when it has. */
  latencyProblem?: string;
}

/**
 * How long one reading is shared by every request for the same namespaces and window (other
 * groupings, other viewers, requests made while it is read). Shorter than the page's refresh,
 * so each refresh reads anew.
 */
export const SHARED_FOR_MS = 5_000;
/**
 * Once the rates are in, how long a request waits for P95 before answering without it. The
 * histograms are the costly part (at 1,000 workloads seconds of Prometheus time on a busy
 * machine, against a fraction for the rates): the graph is drawn first, P95 follows.
 */
export const LATENCY_WAIT_MS = 300;
/** A finished P95 reading serves later answers this long (a P95 over a minute moves slowly); a newer one starts after SHARED_FOR_MS. */
export const LATENCY_USABLE_MS = 30_000;
/** Histograms over a large mesh take Prometheus seconds when it is busy: more than the 5 s other panels allow. */
const QUERY_TIMEOUT_MS = 15_000;
/** At most this many readings are kept per kind (each holds a whole graph's samples). */
const SHARED_MAX = 4;
const shared = new Map<string, { at: number; reading: Promise<GraphTelemetry> }>();

interface LatencyState {
  /** The newest finished reading, at its evaluation instant, and how long Prometheus took for it. */
  done?: { at: number; samples: MetricSample[]; tookMs: number };
  /** The reading in flight; it never rejects (a failure is kept in `failed`). */
  running?: Promise<void>;
  failed?: { at: number; message: string };
}
const latency = new Map<string, LatencyState>();

const keep = <T>(map: Map<string, T>, key: string, value: T) => {
  if (!map.has(key) && map.size >= SHARED_MAX) map.delete(map.keys().next().value!);
  map.set(key, value);
  return value;
};

/** The graph's telemetry: a fresh reading, or the one another request made within SHARED_FOR_MS. */
export async function graphSamples(namespaces: readonly string[], window: GraphWindow, now = Date.now()): Promise<GraphTelemetry> {
  for (const [key, entry] of shared) if (now - entry.at >= SHARED_FOR_MS) shared.delete(key);
  const key = `${window}|${namespaces.join(',')}`;
  const kept = shared.get(key);
  if (kept) return { ...(await kept.reading), queries: 0 };
  const reading = readTelemetry(key, namespaces, window, now);
  keep(shared, key, { at: now, reading });
  // A failed reading is not shared: the next request asks Prometheus again.
  reading.catch(() => shared.get(key)?.reading === reading && shared.delete(key));
  return reading;
}

/** Starts a P95 reading for the view unless one is running or a finished one is recent; true when it started one. */
function startLatency(state: LatencyState, namespaces: readonly string[], window: GraphWindow, now: number): boolean {
  if (state.running || (state.done && now - state.done.at < SHARED_FOR_MS)) return false;
  const started = Date.now();
  const running = instantQueryAt(latencyQuery(namespaces, window), now / 1000, QUERY_TIMEOUT_MS).then(
    (samples) => {
      if (!state.done || state.done.at < now) state.done = { at: now, samples, tookMs: Date.now() - started };
      state.failed = undefined;
    },
    (error: unknown) => {
      state.failed = { at: now, message: error instanceof Error ? error.message : String(error) };
    },
  );
  state.running = running;
  void running.finally(() => {
    if (state.running === running) state.running = undefined;
  });
  return true;
}

/**
 * The graph's rates and TCP bytes, evaluated at one instant (`time`, so the parts agree with each
 * other and with any query made for that instant), with the newest finished P95 reading (at most
 * LATENCY_USABLE_MS old; the one of this instant when none is and it is ready in time), else none.
 */
async function readTelemetry(key: string, namespaces: readonly string[], window: GraphWindow, now: number): Promise<GraphTelemetry> {
  const state = latency.get(key) ?? keep(latency, key, {});
  const recent = () => (state.done && now - state.done.at < LATENCY_USABLE_MS ? state.done : undefined);
  const slow = !!recent() && state.done!.tookMs >= LATENCY_WAIT_MS;
  // A slow mesh's P95 is refreshed after its rates are read, so the histograms do not slow them down; otherwise alongside.
  let startedLatency = slow ? false : startLatency(state, namespaces, window, now);
  const [requests, tcp] = await Promise.all(
    [requestsQuery(namespaces, window), tcpQuery(namespaces, window)].map((q) => instantQueryAt(q, now / 1000, QUERY_TIMEOUT_MS)),
  );
  if (slow) startedLatency = startLatency(state, namespaces, window, now);
  // The running reading is waited for when it may make it in time; else the recent one serves at once.
  else if (state.running) await Promise.race([state.running, new Promise((resolve) => setTimeout(resolve, LATENCY_WAIT_MS))]);
  const usable = recent();
  const r = split(requests!);
  const l = split(usable?.samples ?? []);
  const failed = state.failed && !state.running ? `P95 could not be read: ${state.failed.message}` : undefined;
  return {
    samples: {
      requests: r.rps ?? [],
      errors4xx: r.e4 ?? [],
      errors5xx: r.e5 ?? [],
      flags: r.flags ?? [],
      latencyIn: l.caller ?? [],
      latencyOut: l.callee ?? [],
      tcp: tcp!,
    },
    queries: 2 + (startedLatency ? 1 : 0),
    time: new Date(now),
    latencyProblem: usable
      ? undefined
      : (failed ?? 'P95 is still being computed by Prometheus (the latency histograms of every call in view): it shows on the next refresh'),
  };
}
