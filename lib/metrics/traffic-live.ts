// The Traffic page's live numbers: requests/s, 5xx share and P99 of every service version over
// the last 5 minutes, with a request-rate sparkline, from Istio's standard metrics. Two queries
// for the whole page whatever the number of routes: one instant query (the numbers, by version
// and by service) and one range query (the sparklines). A route's destination (host + subset)
// is matched to a version through the `version` label its DestinationRule subset selects.
// Pure: app/api/traffic/live asks Prometheus and reads the DestinationRules.
import { canaryIndex } from '@/lib/mesh/canary';
import { serviceKey } from '@/lib/mesh/hosts';
import { releaseRoles } from '@/lib/mesh/traffic-split';
import type { DestinationRule } from '@/lib/mesh/types';
import { combine, errorRatio, latencyQuantile, requestRate, split, type Scope } from './promql';

/** The window of the numbers beside each destination. */
export const LIVE_WINDOW = '5m';
/** The sparkline: the last 30 minutes, one point a minute, each a 2-minute rate. */
export const SPARKLINE = { seconds: 1800, step: 60, window: '2m' } as const;

const SERVICE = ['destination_service_namespace', 'destination_service_name'];
const VERSION = [...SERVICE, 'destination_version'];

export interface LiveNumbers {
  /** Requests per second over the window. */
  rps: number;
  /** Share of 5xx answers (0..1); null without requests. */
  errorRatio: number | null;
  /** 99th percentile latency in ms; null without requests. */
  p99: number | null;
  /** Request rate per sparkline step, oldest first (empty when Prometheus has no series). */
  spark: number[];
}

export interface ServiceLive {
  namespace: string;
  service: string;
  /** The whole service: for destinations without a subset. */
  total: LiveNumbers;
  /** By Istio's destination_version label. */
  versions: Record<string, LiveNumbers>;
  /** Each DestinationRule subset of the service → the version it selects. */
  subsets: Record<string, string>;
}

export interface TrafficLive {
  window: string;
  sparklineSeconds: number;
  /** Services that had requests in the window (an array of entries with their namespace, so hidden namespaces can be dropped). */
  services: ServiceLive[];
}

/** The instant query: rate, 5xx ratio and P99 by version and by service, in one (pure). */
export function trafficLivePromql(namespace?: string): string {
  const scope: Scope = { namespace };
  return combine({
    rate: requestRate(scope, LIVE_WINDOW, VERSION),
    errors: errorRatio(scope, LIVE_WINDOW, VERSION),
    p99: latencyQuantile(0.99, scope, LIVE_WINDOW, VERSION),
    'service:rate': requestRate(scope, LIVE_WINDOW, SERVICE),
    'service:errors': errorRatio(scope, LIVE_WINDOW, SERVICE),
    'service:p99': latencyQuantile(0.99, scope, LIVE_WINDOW, SERVICE),
  });
}

/** The range query of the sparklines: request rate by version (services are their sum) (pure). */
export const trafficSparklinePromql = (namespace?: string) => requestRate({ namespace }, SPARKLINE.window, VERSION);

type Metric = Record<string, string | undefined>;
const keyOf = (m: Metric) => `${m.destination_service_name ?? ''}.${m.destination_service_namespace ?? ''}`;
const finite = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);

/**
 * The version a subset selects: its `version` label (what Istio's destination_version reads
 * from the pods), else the app.kubernetes.io/version label, else the subset's own name.
 */
export function subsetVersion(subset: { name: string; labels?: Record<string, string> }): string {
  return subset.labels?.version ?? subset.labels?.['app.kubernetes.io/version'] ?? subset.name;
}

/**
 * Folds the two answers into one entry per service that had requests, with the subsets of its
 * DestinationRules (only for those services, so the answer stays small on a large mesh) (pure).
 */
export function foldTrafficLive(
  instant: { metric: Metric; value: number }[],
  sparklines: { metric: Metric; values: [number, number][] }[],
  rules: Iterable<DestinationRule>,
  sparkStart: number,
): TrafficLive {
  const parts = split(instant as { metric: Record<string, string>; value: number }[]);
  const services: Record<string, ServiceLive> = {};
  const service = (m: Metric) =>
    (services[keyOf(m)] ??= {
      namespace: m.destination_service_namespace ?? '',
      service: m.destination_service_name ?? '',
      total: empty(),
      versions: {},
      subsets: {},
    });
  const numbers = (m: Metric) => {
    const entry = service(m);
    return m.destination_version === undefined ? entry.total : (entry.versions[m.destination_version] ??= empty());
  };
  for (const s of parts['rate'] ?? []) numbers(s.metric).rps = s.value;
  for (const s of parts['service:rate'] ?? []) numbers({ ...s.metric, destination_version: undefined }).rps = s.value;
  const fill = (part: string, field: 'errorRatio' | 'p99', whole: boolean) => {
    for (const s of parts[part] ?? []) {
      if (!services[keyOf(s.metric)]) continue; // a ratio without a rate: no requests in the window
      numbers(whole ? { ...s.metric, destination_version: undefined } : s.metric)[field] = finite(s.value);
    }
  };
  fill('errors', 'errorRatio', false);
  fill('p99', 'p99', false);
  fill('service:errors', 'errorRatio', true);
  fill('service:p99', 'p99', true);

  const points = Math.floor(SPARKLINE.seconds / SPARKLINE.step) + 1;
  for (const series of sparklines) {
    const entry = services[keyOf(series.metric)];
    if (!entry) continue;
    const version = (entry.versions[series.metric.destination_version ?? ''] ??= empty());
    version.spark = resample(series.values, sparkStart, points);
    entry.total.spark = entry.total.spark.length ? entry.total.spark.map((v, i) => v + version.spark[i]!) : [...version.spark];
  }

  for (const rule of rules) {
    const entry = services[serviceKey(rule.spec.host, rule.metadata.namespace)];
    if (!entry) continue;
    for (const subset of rule.spec.subsets ?? []) entry.subsets[subset.name] ??= subsetVersion(subset);
  }
  return { window: LIVE_WINDOW, sparklineSeconds: SPARKLINE.seconds, services: Object.values(services) };
}

const empty = (): LiveNumbers => ({ rps: 0, errorRatio: null, p99: null, spark: [] });

/** A series on the sparkline's fixed grid: steps Prometheus skipped (no requests) read 0. */
function resample(values: [number, number][], start: number, points: number): number[] {
  const out = Array.from({ length: points }, () => 0);
  for (const [t, v] of values) {
    const i = Math.round((t - start) / SPARKLINE.step);
    if (i >= 0 && i < points && Number.isFinite(v)) out[i] = Number(v.toPrecision(3)); // a sparkline needs no more digits
  }
  return out;
}

/** What the page shows beside one destination. */
export interface DestinationLive {
  /** The version the destination's subset selects (undefined for the whole service). */
  version?: string;
  /** Null when the service had no requests in the window. */
  numbers: LiveNumbers | null;
}

/** The services of an answer by "name.namespace" (lib/mesh/hosts serviceKey): made once per answer. */
export type LiveIndex = ReadonlyMap<string, ServiceLive>;
export const indexLive = (live: TrafficLive): LiveIndex => new Map(live.services.map((s) => [`${s.service}.${s.namespace}`, s]));

/** The numbers of one route destination: its subset's version, or the whole service without a subset (pure). */
export function destinationLive(live: LiveIndex, vsNamespace: string, destination: { host: string; subset?: string }): DestinationLive {
  const entry = live.get(serviceKey(destination.host, vsNamespace));
  if (!destination.subset) return { numbers: entry?.total ?? null };
  const version = entry?.subsets[destination.subset] ?? destination.subset;
  return { version, numbers: entry ? (entry.versions[version] ?? { rps: 0, errorRatio: null, p99: null, spark: [] }) : null };
}

export type Comparison = 'better' | 'worse' | 'same' | 'unknown';

/** How far apart two readings must be to count: 1 point of 5xx share, 20 % (and 5 ms) of P99. */
export const COMPARE_RULE = { errorPoints: 0.01, p99Ratio: 0.2, p99Ms: 5 } as const;

/**
 * A candidate's numbers against the stable destination's (pure): worse when its 5xx share is
 * more than 1 point higher or its P99 more than 20 % (and 5 ms) higher; better when lower by as
 * much on one and not worse on the other; unknown when either had no requests.
 */
export function compareWithStable(candidate: LiveNumbers | null, stable: LiveNumbers | null): Comparison {
  if (!candidate?.rps || !stable?.rps) return 'unknown';
  const errorDelta = (candidate.errorRatio ?? 0) - (stable.errorRatio ?? 0);
  const p99Delta = candidate.p99 !== null && stable.p99 !== null ? candidate.p99 - stable.p99 : 0;
  const p99Far = stable.p99 !== null && Math.abs(p99Delta) > Math.max(COMPARE_RULE.p99Ms, stable.p99 * COMPARE_RULE.p99Ratio);
  if (errorDelta > COMPARE_RULE.errorPoints || (p99Far && p99Delta > 0)) return 'worse';
  if (errorDelta < -COMPARE_RULE.errorPoints || (p99Far && p99Delta < 0)) return 'better';
  return 'same';
}

/**
 * Which destination of a route the others are compared with, and which is the canary: the
 * stable one by lib/mesh/traffic-split's release roles, the canary by the namespace's one rule
 * (lib/mesh/canary), read on each destination's version or else its subset name (pure).
 */
export function routeRoles(destinations: { subset?: string; version?: string }[], canaryVersions: string): { stable: number; canary: number } {
  const names = destinations.map((d) => d.version ?? d.subset);
  const byVersion = canaryIndex(names, canaryVersions);
  const canary =
    byVersion >= 0
      ? byVersion
      : canaryIndex(
          destinations.map((d) => d.subset),
          canaryVersions,
        );
  const { stable } = releaseRoles(
    destinations.map((d) => d.subset),
    canaryVersions,
  );
  return { stable: stable === canary ? destinations.findIndex((_, i) => i !== canary) : stable, canary };
}
