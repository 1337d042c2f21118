// The KPIs page's data, one Prometheus query per panel whatever the number of services.
// Each panel fails on its own: a Prometheus problem shows in the panel, not as a broken page.
import { readMeshdeckConfig } from '@/lib/config/reader';
import { effectiveConfig, HOW_TO_CONFIGURE, humanDuration, type CanaryConfig, type EffectiveConfig, type LoadedConfig } from '@/lib/config/schema';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import { alerts, instantQuery, rangeQuery, type Alert, type Series } from './prometheus';
import { combine, errorRatio, latencyQuantile, quote, requestRate, requestsByCode, split, stepFor, windowFor, type Scope } from './promql';
import { ENVOY_STATS, envoyClusterSelector } from './resilience';
import { evaluateSlos, sloQuery, type Slo } from './slo';

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

export interface CanaryComparison {
  service: string;
  namespace: string;
  versions: { version: string; share: number; errorRatio: number; p99: number | null }[];
  canary?: string;
  verdict: string;
  /** ok: healthy; bad: roll back; info: compared but not judged (no threshold configured). */
  state: 'ok' | 'bad' | 'info';
  firing: boolean;
}

const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);
const byLabel = (samples: { metric: Record<string, string>; value: number }[] | undefined, label: string) => new Map((samples ?? []).map((s) => [s.metric[label] ?? '', s.value]));
const pct = (ratio: number, digits: number) => `${(ratio * 100).toFixed(digits)}%`;
const threshold = (ratio: number) => `${Number((ratio * 100).toPrecision(12))}%`;

/** Services table: rate, 5xx ratio and P50/P95/P99 per service, in a single query. */
export async function servicesPanel(scope: Scope, window: string): Promise<ServiceRow[]> {
  const g = ['destination_service_name'];
  const parts = split(await instantQuery(combine({ rate: requestRate(scope, window, g), errors: errorRatio(scope, window, g), p50: latencyQuantile(0.5, scope, window, g), p95: latencyQuantile(0.95, scope, window, g), p99: latencyQuantile(0.99, scope, window, g) })));
  const [rate, errors, p50, p95, p99] = ['rate', 'errors', 'p50', 'p95', 'p99'].map((k) => byLabel(parts[k], 'destination_service_name'));
  return [...rate!.keys()].sort().map((service) => ({ service, rate: rate!.get(service)!, errorRatio: num(errors!.get(service)) ?? 0, p50: num(p50!.get(service)), p95: num(p95!.get(service)), p99: num(p99!.get(service)) }));
}

export interface SloPanel {
  slos: Slo[];
  /** Why there are no SLOs to show, when there are none. */
  notConfigured?: string;
}

/** The configured SLOs of the view with error-budget burn over 1 h and 6 h, in a single query (none when nothing is configured). */
export async function sloPanel(scope: Scope, config: EffectiveConfig): Promise<SloPanel> {
  const query = sloQuery(config.slos);
  if (!query) {
    const where = scope.namespace ? `namespace ${scope.namespace}` : 'this mesh';
    const elsewhere = config.otherSlos ? ` (${config.otherSlos} SLO${config.otherSlos === 1 ? '' : 's'} measure other scopes: see All namespaces)` : '';
    return { slos: [], notConfigured: `No SLOs configured for ${where}${elsewhere}: ${config.howToConfigure}.` };
  }
  return { slos: evaluateSlos(config.slos, await instantQuery(query)) };
}

type VersionRow = CanaryComparison['versions'][number];

/**
 * Judges one split service: the canary is the version the rule's regex matches (whole
 * label), compared with the busiest other version. Without a threshold it only compares.
 */
export function judgeCanary(service: string, namespace: string, rows: VersionRow[], rule: CanaryConfig & { configured: boolean }): CanaryComparison {
  const pattern = new RegExp(`^(?:${rule.versions})$`);
  const canary = rows.find((r) => pattern.test(r.version));
  const base = { service, namespace, versions: rows, canary: canary?.version };
  if (!canary) return { ...base, verdict: `No canary version (none matches ${rule.versions}): an A/B or blue-green split`, state: 'info', firing: false };
  const baseline = rows.find((r) => r !== canary);
  const limit = rule.errorRatioThreshold;
  if (limit === undefined) {
    const against = baseline ? ` against ${pct(baseline.errorRatio, 2)} for ${baseline.version}` : '';
    return { ...base, verdict: `${canary.version} fails ${pct(canary.errorRatio, 2)}${against}. No canary threshold configured to judge it: ${HOW_TO_CONFIGURE}.`, state: 'info', firing: false };
  }
  const alerts = rule.alerts.length ? `the ${rule.alerts.join(' and ')} alert${rule.alerts.length > 1 ? 's' : ''}` : 'the rule';
  if (canary.errorRatio > limit) return { ...base, verdict: `Roll back: ${canary.version} fails ${pct(canary.errorRatio, 1)} of requests (> ${threshold(limit)}), ${alerts} fire${rule.alerts.length === 1 ? 's' : ''} after ${humanDuration(rule.window)}`, state: 'bad', firing: true };
  return { ...base, verdict: `Healthy: ${canary.version} fails ${pct(canary.errorRatio, 2)}, under the ${threshold(limit)} alert threshold`, state: 'ok', firing: false };
}

/** Every split service's versions side by side over the canary window, in a single query. */
export async function canaryPanel(scope: Scope, config: EffectiveConfig): Promise<CanaryComparison[]> {
  const g = ['destination_service_namespace', 'destination_service_name', 'destination_version'];
  const window = config.canaryWindow;
  const parts = split(await instantQuery(combine({ rate: requestRate(scope, window, g), errors: errorRatio(scope, window, g), p99: latencyQuantile(0.99, scope, window, g) })));
  const key = (m: Record<string, string>) => `${m.destination_service_namespace}|${m.destination_service_name}|${m.destination_version}`;
  const errors = new Map((parts.errors ?? []).map((s) => [key(s.metric), s.value]));
  const p99 = new Map((parts.p99 ?? []).map((s) => [key(s.metric), s.value]));
  const services = new Map<string, { namespace: string; service: string; versions: { version: string; rate: number; key: string }[] }>();
  for (const s of parts.rate ?? []) {
    const id = `${s.metric.destination_service_namespace}|${s.metric.destination_service_name}`;
    const entry = services.get(id) ?? { namespace: s.metric.destination_service_namespace ?? '', service: s.metric.destination_service_name ?? '', versions: [] };
    entry.versions.push({ version: s.metric.destination_version ?? 'unknown', rate: s.value, key: key(s.metric) });
    services.set(id, entry);
  }
  return [...services.values()]
    .filter(({ versions }) => versions.length >= 2)
    .map(({ namespace, service, versions }) => {
      const total = versions.reduce((sum, v) => sum + v.rate, 0);
      const rows = versions.sort((a, b) => b.rate - a.rate).map((v) => ({ version: v.version, share: total ? v.rate / total : 0, errorRatio: num(errors.get(v.key)) ?? 0, p99: num(p99.get(v.key)) }));
      return judgeCanary(service, namespace, rows, config.canaryFor(namespace));
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.namespace.localeCompare(b.namespace));
}

export interface BusinessKpis {
  /** Computed from Istio's standard metrics (and Envoy's, when exported): always shown. */
  mesh: { canaryShare: number | null; overflowsRps: number | null; ejectedHosts: number | null };
  /** The configured KPIs, in configuration order. */
  kpis: { name: string; unit: 'count' | 'ratio' | 'rps' | 'ms'; description?: string; value: number | null }[];
  /** Request rate per value of each configured segment label (user tiers, plans, regions). */
  segments: { label: string; title: string; values: { value: string; rps: number }[] }[];
  notConfigured?: string;
}

/** The mesh's own KPIs and the configured ones, in a single query. */
export async function businessPanel(scope: Scope, config: EffectiveConfig): Promise<BusinessKpis> {
  const ns = scope.namespace ? `,destination_service_namespace=${quote(scope.namespace)}` : '';
  const query = combine({
    canary: `sum(rate(istio_requests_total{reporter="destination"${ns},destination_version=~${quote(config.canaryVersions)}}[5m])) / sum(rate(istio_requests_total{reporter="destination"${ns},destination_version=~".+"}[5m]))`,
    overflows: `sum(rate(istio_requests_total{reporter="source"${ns},response_flags=~".*UO.*"}[5m])) or vector(0)`,
    // No `or vector(0)`: a missing series means Envoy does not export it, which is not zero.
    ejected: `sum(${ENVOY_STATS.ejectionsActive}${envoyClusterSelector(scope.namespace)})`,
    ...Object.fromEntries(config.businessKpis.map((k, i) => [`kpi:${i}`, k.query])),
    ...Object.fromEntries(config.segments.map((seg) => [`segment:${seg.label}`, `sum by (${seg.label}) (rate(istio_requests_total{reporter="destination"${ns},${seg.label}!=""}[5m]))`])),
  });
  const parts = split(
    await instantQuery(query).catch((error: unknown) => {
      // A configured expression is the likely culprit of a rejected query: say where it comes from.
      if (error instanceof ApiError && error.status === 400 && config.businessKpis.length) throw new ApiError(400, `${error.message} (check the businessKpis queries of ${[...new Set(config.businessKpis.map((k) => `ConfigMap ${k.source}`))].join(', ')})`, error.reason);
      throw error;
    }),
  );
  const one = (k: string) => num(parts[k]?.[0]?.value);
  const configured = config.businessKpis.length > 0 || config.segments.length > 0;
  return {
    mesh: { canaryShare: one('canary'), overflowsRps: one('overflows'), ejectedHosts: one('ejected') },
    kpis: config.businessKpis.map((k, i) => ({ name: k.name, unit: k.unit, description: k.description, value: one(`kpi:${i}`) })),
    segments: config.segments.map((seg) => ({ label: seg.label, title: seg.title ?? seg.label, values: (parts[`segment:${seg.label}`] ?? []).map((s) => ({ value: s.metric[seg.label] ?? '', rps: s.value })).sort((a, b) => b.rps - a.rps) })),
    notConfigured: configured ? undefined : `No business KPIs configured${scope.namespace ? ` for namespace ${scope.namespace}` : ''}: ${config.howToConfigure}.`,
  };
}

/** Request-rate sparklines for every service, in a single range query. */
export async function sparklinesPanel(scope: Scope, seconds: number, end: number): Promise<Record<string, [number, number][]>> {
  const series = await rangeQuery(requestRate(scope, windowFor(seconds), ['destination_service_name']), end - seconds, end, stepFor(seconds));
  return Object.fromEntries(series.map((s) => [s.metric.destination_service_name ?? '', s.values]));
}

export type PageAlert = Alert & { canary: boolean };

/** Firing and pending alerts, those guarding a canary (by configuration) marked. */
export async function alertsPanel(config: EffectiveConfig): Promise<PageAlert[]> {
  return (await alerts())
    .filter((a) => a.state !== 'inactive')
    .sort((a, b) => (a.state === b.state ? (a.activeAt ?? '').localeCompare(b.activeAt ?? '') : a.state === 'firing' ? -1 : 1))
    .map((a) => ({ ...a, canary: config.canaryAlerts.has(a.labels.alertname ?? '') }));
}

export interface ConfigStatus {
  /** The ConfigMaps in use, as namespace/name. */
  sources: string[];
  problems: string[];
  error?: string;
}

/**
 * Every panel of the KPIs page. The mesh's configuration (SLOs, business KPIs, canary rule)
 * comes from the cluster; `loaded` replaces it in tests.
 */
export async function kpiPage(scope: Scope, seconds: number, end = Date.now() / 1000, loaded?: LoadedConfig) {
  const window = windowFor(seconds);
  const configuration = loaded ?? (await readMeshdeckConfig());
  const config = effectiveConfig(configuration, scope.namespace);
  const [services, slo, canaries, business, sparklines, firing] = await Promise.all([
    panel(() => servicesPanel(scope, window)),
    panel(() => sloPanel(scope, config)),
    panel(() => canaryPanel(scope, config)),
    panel(() => businessPanel(scope, config)),
    panel(() => sparklinesPanel(scope, seconds, end)),
    panel(() => alertsPanel(config)),
  ]);
  const status: ConfigStatus = { sources: configuration.sources.map((s) => `${s.namespace}/${s.name}`), problems: configuration.problems, error: configuration.error };
  return { window, canaryWindow: humanDuration(config.canaryWindow), config: status, services, slo, canaries, business, sparklines, alerts: firing };
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
