// The KPIs page's data, one Prometheus query per panel whatever the number of services.
// Each panel fails on its own: a Prometheus problem shows in the panel, not as a broken page.
import { toApiError } from '@/lib/k8s/errors';
import { alerts, instantQuery, rangeQuery, type Alert, type Series } from './prometheus';
import { combine, errorRatio, latencyQuantile, requestRate, requestsByCode, split, stepFor, windowFor, type Scope } from './promql';

export type Panel<T> = { data: T } | { error: { status: number; message: string } };

async function panel<T>(load: () => Promise<T>): Promise<Panel<T>> {
  try {
    return { data: await load() };
  } catch (error) {
    const e = toApiError(error);
    return { error: { status: e.status, message: e.message } };
  }
}

export interface ServiceRow {
  service: string;
  rate: number;
  errorRatio: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export const SLO_TARGETS = { availability: 0.999, p99Ms: 2000, errorRate: 0.001, throughputRps: 1000 };

export interface Slo {
  name: string;
  objective: string;
  value: number | null;
  unit: string;
  met: boolean | null;
  burn1h?: number | null;
  burn6h?: number | null;
}

export interface CanaryComparison {
  service: string;
  versions: { version: string; share: number; errorRatio: number; p99: number | null }[];
  canary?: string;
  verdict: string;
  firing: boolean;
}

const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);
const byLabel = (samples: { metric: Record<string, string>; value: number }[] | undefined, label: string) => new Map((samples ?? []).map((s) => [s.metric[label] ?? '', s.value]));

/** Services table: rate, 5xx ratio and P50/P95/P99 per service, in a single query. */
export async function servicesPanel(scope: Scope, window: string): Promise<ServiceRow[]> {
  const g = ['destination_service_name'];
  const parts = split(await instantQuery(combine({ rate: requestRate(scope, window, g), errors: errorRatio(scope, window, g), p50: latencyQuantile(0.5, scope, window, g), p95: latencyQuantile(0.95, scope, window, g), p99: latencyQuantile(0.99, scope, window, g) })));
  const [rate, errors, p50, p95, p99] = ['rate', 'errors', 'p50', 'p95', 'p99'].map((k) => byLabel(parts[k], 'destination_service_name'));
  return [...rate!.keys()].sort().map((service) => ({ service, rate: rate!.get(service)!, errorRatio: num(errors!.get(service)) ?? 0, p50: num(p50!.get(service)), p95: num(p95!.get(service)), p99: num(p99!.get(service)) }));
}

/** The platform SLIs with error-budget burn over 1 h and 6 h, in a single query. */
export async function sloPanel(scope: Scope): Promise<Slo[]> {
  const all: string[] = [];
  const ratio = (window: string) => `(sum(rate(istio_requests_total{reporter="destination"${scope.namespace ? `,destination_service_namespace="${scope.namespace}"` : ''},response_code=~"5.."}[${window}])) or vector(0)) / sum(${requestRate(scope, window, all)})`;
  const parts = split(await instantQuery(combine({ errors5m: ratio('5m'), errors1h: ratio('1h'), errors6h: ratio('6h'), p99: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination"${scope.namespace ? `,destination_service_namespace="${scope.namespace}"` : ''}}[5m])))`, throughput: `sum(${requestRate(scope, '5m', all)})` })));
  const one = (k: string) => num(parts[k]?.[0]?.value);
  const errorRate = one('errors5m');
  const budget = 1 - SLO_TARGETS.availability; // 0.1% of requests may fail
  const burn = (k: string) => (one(k) === null ? null : one(k)! / budget);
  const p99 = one('p99');
  const throughput = one('throughput');
  return [
    { name: 'Availability', objective: `> ${SLO_TARGETS.availability * 100}%`, value: errorRate === null ? null : 1 - errorRate, unit: 'ratio', met: errorRate === null ? null : 1 - errorRate > SLO_TARGETS.availability, burn1h: burn('errors1h'), burn6h: burn('errors6h') },
    { name: 'Latency P99', objective: `< ${SLO_TARGETS.p99Ms} ms`, value: p99, unit: 'ms', met: p99 === null ? null : p99 < SLO_TARGETS.p99Ms },
    { name: 'Error rate', objective: `< ${SLO_TARGETS.errorRate * 100}%`, value: errorRate, unit: 'ratio', met: errorRate === null ? null : errorRate < SLO_TARGETS.errorRate, burn1h: burn('errors1h'), burn6h: burn('errors6h') },
    { name: 'Throughput', objective: `> ${SLO_TARGETS.throughputRps} RPS`, value: throughput, unit: 'rps', met: throughput === null ? null : throughput > SLO_TARGETS.throughputRps },
  ];
}

const CANARY = /canary|green|v2|next|preview|beta/;

/** Every split service's versions side by side, judged like the canary alert rule (error ratio > 10% over 2 m). */
export async function canaryPanel(scope: Scope): Promise<CanaryComparison[]> {
  const g = ['destination_service_name', 'destination_version'];
  const parts = split(await instantQuery(combine({ rate: requestRate(scope, '2m', g), errors: errorRatio(scope, '2m', g), p99: latencyQuantile(0.99, scope, '2m', g) })));
  const key = (m: Record<string, string>) => `${m.destination_service_name}|${m.destination_version}`;
  const errors = new Map((parts.errors ?? []).map((s) => [key(s.metric), s.value]));
  const p99 = new Map((parts.p99 ?? []).map((s) => [key(s.metric), s.value]));
  const services = new Map<string, { version: string; rate: number; key: string }[]>();
  for (const s of parts.rate ?? []) {
    const list = services.get(s.metric.destination_service_name!) ?? [];
    list.push({ version: s.metric.destination_version ?? 'unknown', rate: s.value, key: key(s.metric) });
    services.set(s.metric.destination_service_name!, list);
  }
  return [...services]
    .filter(([, versions]) => versions.length >= 2)
    .map(([service, versions]) => {
      const total = versions.reduce((sum, v) => sum + v.rate, 0);
      const rows = versions.sort((a, b) => b.rate - a.rate).map((v) => ({ version: v.version, share: total ? v.rate / total : 0, errorRatio: num(errors.get(v.key)) ?? 0, p99: num(p99.get(v.key)) }));
      const canary = rows.find((r) => CANARY.test(r.version));
      const firing = Boolean(canary && canary.errorRatio > 0.1);
      const verdict = !canary ? 'No canary version: an A/B or blue-green split' : firing ? `Roll back: ${canary.version} fails ${(canary.errorRatio * 100).toFixed(1)}% of requests (> 10%), the CanaryHighErrorRate alert fires after 2 minutes` : `Healthy: ${canary.version} fails ${(canary.errorRatio * 100).toFixed(2)}%, under the 10% alert threshold`;
      return { service, versions: rows, canary: canary?.version, verdict, firing };
    })
    .sort((a, b) => a.service.localeCompare(b.service));
}

export interface BusinessKpis {
  activeUsers: number | null;
  premiumRps: number | null;
  canaryShare: number | null;
  overflowsRps: number | null;
  ejectedHosts: number | null;
}

/** Business KPIs in a single query. The active-users gauge is the platform's own metric (configurable). */
export async function businessPanel(scope: Scope): Promise<BusinessKpis> {
  const ns = scope.namespace ? `,destination_service_namespace="${scope.namespace}"` : '';
  const users = process.env.MESHDECK_ACTIVE_USERS_METRIC ?? 'ai_nutritionist_active_users';
  const parts = split(
    await instantQuery(
      combine({
        users: `max(${users})`,
        premium: `sum(rate(istio_requests_total{reporter="destination"${ns},user_tier="premium"}[5m]))`,
        canary: `sum(rate(istio_requests_total{reporter="destination"${ns},destination_version=~"canary.*"}[5m])) / sum(rate(istio_requests_total{reporter="destination"${ns},destination_version=~".+"}[5m]))`,
        overflows: `sum(rate(istio_requests_total{reporter="source"${ns},response_flags=~".*UO.*"}[5m])) or vector(0)`,
        ejected: 'sum(envoy_cluster_outlier_detection_ejections_active)',
      }),
    ),
  );
  const one = (k: string) => num(parts[k]?.[0]?.value);
  return { activeUsers: one('users'), premiumRps: one('premium'), canaryShare: one('canary'), overflowsRps: one('overflows'), ejectedHosts: one('ejected') };
}

/** Request-rate sparklines for every service, in a single range query. */
export async function sparklinesPanel(scope: Scope, seconds: number, end: number): Promise<Record<string, [number, number][]>> {
  const series = await rangeQuery(requestRate(scope, windowFor(seconds), ['destination_service_name']), end - seconds, end, stepFor(seconds));
  return Object.fromEntries(series.map((s) => [s.metric.destination_service_name ?? '', s.values]));
}

export async function alertsPanel(): Promise<Alert[]> {
  return (await alerts()).filter((a) => a.state !== 'inactive').sort((a, b) => (a.state === b.state ? (a.activeAt ?? '').localeCompare(b.activeAt ?? '') : a.state === 'firing' ? -1 : 1));
}

export async function kpiPage(scope: Scope, seconds: number, end = Date.now() / 1000) {
  const window = windowFor(seconds);
  const [services, slo, canaries, business, sparklines, firing] = await Promise.all([
    panel(() => servicesPanel(scope, window)),
    panel(() => sloPanel(scope)),
    panel(() => canaryPanel(scope)),
    panel(() => businessPanel(scope)),
    panel(() => sparklinesPanel(scope, seconds, end)),
    panel(() => alertsPanel()),
  ]);
  return { window, services, slo, canaries, business, sparklines, alerts: firing };
}

/** The charts of one service: rate by version, requests by code, latency percentiles, outbound calls. */
export async function serviceCharts(scope: Scope & { service: string }, seconds: number, end = Date.now() / 1000) {
  const window = windowFor(seconds);
  const step = stepFor(seconds);
  const start = end - seconds;
  const inbound: Scope = { ...scope, direction: 'inbound' };
  const outbound: Scope = { ...scope, direction: 'outbound' };
  const chart = (expr: string) => panel<Series[]>(() => rangeQuery(expr, start, end, step));
  const [byVersion, byCode, latency, calls] = await Promise.all([
    chart(requestRate(inbound, window, ['destination_version'])),
    chart(requestsByCode(inbound, window, [])),
    chart(combine({ p50: latencyQuantile(0.5, inbound, window, []), p95: latencyQuantile(0.95, inbound, window, []), p99: latencyQuantile(0.99, inbound, window, []) })),
    chart(requestRate(outbound, window, ['destination_service_name'])),
  ]);
  return { window, step, byVersion, byCode, latency, outbound: calls };
}
