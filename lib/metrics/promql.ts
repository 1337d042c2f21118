// PromQL for Istio's standard metrics. Every builder aggregates with `sum by (...)`, so one
// query answers for every service at once; `combine` folds a panel's expressions into one
// query, telling the parts apart by a `kpi` label.

export type Reporter = 'destination' | 'source';

export interface Scope {
  namespace?: string;
  service?: string;
  reporter?: Reporter;
  /** Requests into the service (inbound) or out of it to others (outbound). */
  direction?: 'inbound' | 'outbound';
}

/** A PromQL string literal. */
export const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Label matchers for the scope. Inbound: the service is the destination; outbound: the source. */
export function selector(scope: Scope, extra: string[] = []): string {
  const parts = [`reporter="${scope.reporter ?? (scope.direction === 'outbound' ? 'source' : 'destination')}"`];
  if (scope.namespace)
    parts.push(`${scope.direction === 'outbound' ? 'source_workload_namespace' : 'destination_service_namespace'}=${quote(scope.namespace)}`);
  if (scope.service) parts.push(scope.direction === 'outbound' ? `source_app=${quote(scope.service)}` : `destination_service_name=${quote(scope.service)}`);
  return `{${[...parts, ...extra].join(',')}}`;
}

const by = (labels: string[]) => `by (${labels.join(', ')})`;

/** Adds matchers to a selector: `{a="b"}` + `c="d"` → `{a="b",c="d"}`. */
export const withMatchers = (sel: string, ...matchers: string[]) => `{${[sel.slice(1, -1), ...matchers].filter(Boolean).join(',')}}`;

/** Requests per second over any selector (one namespace, several, the whole mesh). */
export const requestRateOf = (sel: string, window: string, groups: string[]) => `sum ${by(groups)} (rate(istio_requests_total${sel}[${window}]))`;

/** Share of 5xx responses; 0 (not missing) for a group with traffic but no errors. */
export const errorRatioOf = (sel: string, window: string, groups: string[]) =>
  `(sum ${by(groups)} (rate(istio_requests_total${withMatchers(sel, 'response_code=~"5.."')}[${window}])) or (0 * ${requestRateOf(sel, window, groups)})) / ${requestRateOf(sel, window, groups)}`;

export const latencyQuantileOf = (quantile: number, sel: string, window: string, groups: string[]) =>
  `histogram_quantile(${quantile}, sum ${by([...groups, 'le'])} (rate(istio_request_duration_milliseconds_bucket${sel}[${window}])))`;

export const requestRate = (scope: Scope, window: string, groups: string[]) => requestRateOf(selector(scope), window, groups);

export const errorRatio = (scope: Scope, window: string, groups: string[]) => errorRatioOf(selector(scope), window, groups);

export const latencyQuantile = (quantile: number, scope: Scope, window: string, groups: string[]) =>
  latencyQuantileOf(quantile, selector(scope), window, groups);

export const requestsByCode = (scope: Scope, window: string, groups: string[]) =>
  `sum ${by([...groups, 'response_code'])} (rate(istio_requests_total${selector(scope)}[${window}]))`;

/** One query for several expressions: each part's series carry kpi="<name>". */
export function combine(parts: Record<string, string>): string {
  return Object.entries(parts)
    .map(([name, expr]) => `label_replace(${expr}, "kpi", ${quote(name)}, "", "")`)
    .join(' or ');
}

/** Splits a combined result back into its parts. */
export function split<T extends { metric: Record<string, string> }>(results: T[]): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const r of results) (out[r.metric.kpi ?? ''] ??= []).push(r);
  return out;
}

export const RANGES = { '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400 } as const;
export type RangeName = keyof typeof RANGES;

/** A step that keeps charts near 120 points. */
export const stepFor = (seconds: number) => Math.max(5, Math.round(seconds / 120));
/** The rate window for a range: wide enough for a few scrapes, narrow enough to show change. */
export const windowFor = (seconds: number) => (seconds <= 900 ? '1m' : seconds <= 3600 ? '2m' : seconds <= 21600 ? '5m' : '15m');
