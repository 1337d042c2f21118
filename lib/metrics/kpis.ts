// The KPIs page's data, one Prometheus query per panel whatever the number of services.
// Each panel fails on its own: a Prometheus problem shows in the panel, not as a broken page.
import { readMeshdeckConfig } from '@/lib/config/reader';
import { formatPercent } from '@/lib/format';
import { effectiveConfig, HOW_TO_CONFIGURE, humanDuration, type CanaryConfig, type EffectiveConfig, type LoadedConfig } from '@/lib/config/schema';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import { canaryPattern, canaryShare, type VersionRate } from '@/lib/mesh/canary';
import { alerts, instantQuery, rangeQuery, type Alert, type Sample, type Series } from './prometheus';
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
  namespace: string;
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
  /** The share of the service's requests its canary versions serve (lib/mesh/canary.ts), null without a canary. */
  canaryShare: number | null;
  /** ok: healthy; bad: roll back; info: compared but not judged (no threshold configured). */
  state: 'ok' | 'bad' | 'info';
  firing: boolean;
}

const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);
const threshold = (ratio: number) => `${Number((ratio * 100).toPrecision(12))}%`;

// Services are told apart by namespace and name: same-named services of two namespaces never merge.
const SERVICE = ['destination_service_namespace', 'destination_service_name'];
/** "namespace/name", the key of a service in every panel. */
export const serviceKey = (m: Record<string, string | undefined>) => `${m.destination_service_namespace ?? ''}/${m.destination_service_name ?? ''}`;
const byService = (samples: Sample[] | undefined) => new Map((samples ?? []).map((s) => [serviceKey(s.metric), s.value]));

/** Services table: rate, 5xx ratio and P50/P95/P99 per service (namespace and name), in a single query. */
export async function servicesPanel(scope: Scope, window: string): Promise<ServiceRow[]> {
  const g = SERVICE;
  const parts = split(
    await instantQuery(
      combine({
        rate: requestRate(scope, window, g),
        errors: errorRatio(scope, window, g),
        p50: latencyQuantile(0.5, scope, window, g),
        p95: latencyQuantile(0.95, scope, window, g),
        p99: latencyQuantile(0.99, scope, window, g),
      }),
    ),
  );
  const [errors, p50, p95, p99] = ['errors', 'p50', 'p95', 'p99'].map((k) => byService(parts[k]));
  return (parts.rate ?? [])
    .map((s) => ({
      key: serviceKey(s.metric),
      namespace: s.metric.destination_service_namespace ?? '',
      service: s.metric.destination_service_name ?? '',
      rate: s.value,
    }))
    .sort((a, b) => a.service.localeCompare(b.service) || a.namespace.localeCompare(b.namespace))
    .map(({ key, ...row }) => ({ ...row, errorRatio: num(errors!.get(key)) ?? 0, p50: num(p50!.get(key)), p95: num(p95!.get(key)), p99: num(p99!.get(key)) }));
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
  const pattern = canaryPattern(rule.versions);
  const canary = rows.find((r) => pattern.test(r.version));
  const share = canaryShare(
    rows.map((r) => ({ namespace, service, version: r.version, rate: r.share })),
    () => rule.versions,
  );
  const base = { service, namespace, versions: rows, canary: canary?.version, canaryShare: share };
  if (!canary) return { ...base, verdict: `No canary version (none matches ${rule.versions}): an A/B or blue-green split`, state: 'info', firing: false };
  const baseline = rows.find((r) => r !== canary);
  const limit = rule.errorRatioThreshold;
  if (limit === undefined) {
    const against = baseline ? ` against ${formatPercent(baseline.errorRatio)} for ${baseline.version}` : '';
    return {
      ...base,
      verdict: `${canary.version} fails ${formatPercent(canary.errorRatio)}${against}. No canary threshold configured to judge it: ${HOW_TO_CONFIGURE}.`,
      state: 'info',
      firing: false,
    };
  }
  const alerts = rule.alerts.length ? `the ${rule.alerts.join(' and ')} alert${rule.alerts.length > 1 ? 's' : ''}` : 'the rule';
  if (canary.errorRatio > limit)
    return {
      ...base,
      verdict: `Roll back: ${canary.version} fails ${formatPercent(canary.errorRatio)} of requests (> ${threshold(limit)}), ${alerts} fire${rule.alerts.length === 1 ? 's' : ''} after ${humanDuration(rule.window)}`,
      state: 'bad',
      firing: true,
    };
  return {
    ...base,
    verdict: `Healthy: ${canary.version} fails ${formatPercent(canary.errorRatio)}, under the ${threshold(limit)} alert threshold`,
    state: 'ok',
    firing: false,
  };
}

const VERSION = [...SERVICE, 'destination_version'];
const versionKey = (m: Record<string, string | undefined>) => `${serviceKey(m)}/${m.destination_version ?? ''}`;
/** Requests per second by service and version over the canary window: what both canary readings start from. */
const versionRates = (scope: Scope, config: EffectiveConfig) => requestRate(scope, config.canaryWindow, VERSION);
const toVersionRates = (samples: Sample[] | undefined): VersionRate[] =>
  (samples ?? []).map((s) => ({
    namespace: s.metric.destination_service_namespace ?? '',
    service: s.metric.destination_service_name ?? '',
    version: s.metric.destination_version ?? 'unknown',
    rate: s.value,
  }));

/** The canary panel's single query: rate, 5xx ratio and P99 by service and version. */
export const canaryQuery = (scope: Scope, config: EffectiveConfig) =>
  combine({
    rate: versionRates(scope, config),
    errors: errorRatio(scope, config.canaryWindow, VERSION),
    p99: latencyQuantile(0.99, scope, config.canaryWindow, VERSION),
  });

/** Every split service's versions side by side, from the parts of the canary query. */
export function canaryComparisons(parts: Record<string, Sample[]>, config: EffectiveConfig): CanaryComparison[] {
  const errors = new Map((parts.errors ?? []).map((s) => [versionKey(s.metric), s.value]));
  const p99 = new Map((parts.p99 ?? []).map((s) => [versionKey(s.metric), s.value]));
  const services = new Map<string, { namespace: string; service: string; versions: (VersionRate & { key: string })[] }>();
  for (const v of toVersionRates(parts.rate)) {
    const id = `${v.namespace}/${v.service}`;
    const entry = services.get(id) ?? { namespace: v.namespace, service: v.service, versions: [] };
    entry.versions.push({ ...v, key: `${id}/${v.version}` });
    services.set(id, entry);
  }
  return [...services.values()]
    .filter(({ versions }) => versions.length >= 2)
    .map(({ namespace, service, versions }) => {
      const total = versions.reduce((sum, v) => sum + v.rate, 0);
      const rows = versions
        .sort((a, b) => b.rate - a.rate)
        .map((v) => ({ version: v.version, share: total ? v.rate / total : 0, errorRatio: num(errors.get(v.key)) ?? 0, p99: num(p99.get(v.key)) }));
      return judgeCanary(service, namespace, rows, config.canaryFor(namespace));
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.namespace.localeCompare(b.namespace));
}

/** Every split service's versions side by side over the canary window, in a single query. */
export async function canaryPanel(scope: Scope, config: EffectiveConfig): Promise<CanaryComparison[]> {
  return canaryComparisons(split(await instantQuery(canaryQuery(scope, config))), config);
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

/** The business panel's single query: the mesh's own KPIs, the configured ones and the segments. */
export function businessQuery(scope: Scope, config: EffectiveConfig): string {
  const ns = scope.namespace ? `,destination_service_namespace=${quote(scope.namespace)}` : '';
  return combine({
    // The canary share is read from the rates by version, as the canary panel reads it (lib/mesh/canary.ts).
    versions: versionRates(scope, config),
    overflows: `sum(rate(istio_requests_total{reporter="source"${ns},response_flags=~".*UO.*"}[5m])) or vector(0)`,
    // No `or vector(0)`: a missing series means Envoy does not export it, which is not zero.
    ejected: `sum(${ENVOY_STATS.ejectionsActive}${envoyClusterSelector(scope.namespace)})`,
    ...Object.fromEntries(config.businessKpis.map((k, i) => [`kpi:${i}`, k.query])),
    ...Object.fromEntries(
      config.segments.map((seg) => [
        `segment:${seg.label}`,
        `sum by (${seg.label}) (rate(istio_requests_total{reporter="destination"${ns},${seg.label}!=""}[5m]))`,
      ]),
    ),
  });
}

/** The business panel from the parts of its query. */
export function businessKpis(parts: Record<string, Sample[]>, scope: Scope, config: EffectiveConfig): BusinessKpis {
  const one = (k: string) => num(parts[k]?.[0]?.value);
  const configured = config.businessKpis.length > 0 || config.segments.length > 0;
  return {
    mesh: {
      canaryShare: canaryShare(toVersionRates(parts.versions), (namespace) => config.canaryFor(namespace).versions),
      overflowsRps: one('overflows'),
      ejectedHosts: one('ejected'),
    },
    kpis: config.businessKpis.map((k, i) => ({ name: k.name, unit: k.unit, description: k.description, value: one(`kpi:${i}`) })),
    segments: config.segments.map((seg) => ({
      label: seg.label,
      title: seg.title ?? seg.label,
      values: (parts[`segment:${seg.label}`] ?? []).map((s) => ({ value: s.metric[seg.label] ?? '', rps: s.value })).sort((a, b) => b.rps - a.rps),
    })),
    notConfigured: configured
      ? undefined
      : `No business KPIs configured${scope.namespace ? ` for namespace ${scope.namespace}` : ''}: ${config.howToConfigure}.`,
  };
}

/** The mesh's own KPIs and the configured ones, in a single query. */
export async function businessPanel(scope: Scope, config: EffectiveConfig): Promise<BusinessKpis> {
  const parts = split(
    await instantQuery(businessQuery(scope, config)).catch((error: unknown) => {
      // A configured expression is the likely culprit of a rejected query: say where it comes from.
      if (error instanceof ApiError && error.status === 400 && config.businessKpis.length)
        throw new ApiError(
          400,
          `${error.message} (check the businessKpis queries of ${[...new Set(config.businessKpis.map((k) => `ConfigMap ${k.source}`))].join(', ')})`,
          error.reason,
        );
      throw error;
    }),
  );
  return businessKpis(parts, scope, config);
}

/** Request-rate sparklines for every service, keyed "namespace/name" (serviceKey), in a single range query. */
export async function sparklinesPanel(scope: Scope, seconds: number, end: number): Promise<Record<string, [number, number][]>> {
  const series = await rangeQuery(requestRate(scope, windowFor(seconds), SERVICE), end - seconds, end, stepFor(seconds));
  return Object.fromEntries(series.map((s) => [serviceKey(s.metric), s.values]));
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
  const status: ConfigStatus = {
    sources: configuration.sources.map((s) => `${s.namespace}/${s.name}`),
    problems: configuration.problems,
    error: configuration.error,
  };
  return { window, canaryWindow: humanDuration(config.canaryWindow), config: status, services, slo, canaries, business, sparklines, alerts: firing };
}

/**
 * The charts of one service: rate by version, requests by code, latency percentiles, outbound
 * calls; with the namespace's canary rule, so the chart by version marks the canary as the
 * canary panel does.
 */
export async function serviceCharts(scope: Scope & { service: string }, seconds: number, end = Date.now() / 1000, loaded?: LoadedConfig) {
  const window = windowFor(seconds);
  const canaryVersions = effectiveConfig(loaded ?? (await readMeshdeckConfig()), scope.namespace).canaryFor(scope.namespace).versions;
  const step = stepFor(seconds);
  const start = end - seconds;
  const inbound: Scope = { ...scope, direction: 'inbound' };
  const outbound: Scope = { ...scope, direction: 'outbound' };
  const chart = (expr: string) => panel<Series[]>(() => rangeQuery(expr, start, end, step));
  const [byVersion, errors, byCode, latency, calls] = await Promise.all([
    chart(requestRate(inbound, window, ['destination_version'])),
    // Errors as a share per version: on their own scale, a 1 % failure is not a flat line under the traffic.
    chart(errorRatio(inbound, window, ['destination_version'])),
    chart(requestsByCode(inbound, window, [])),
    chart(
      combine({
        p50: latencyQuantile(0.5, inbound, window, []),
        p95: latencyQuantile(0.95, inbound, window, []),
        p99: latencyQuantile(0.99, inbound, window, []),
      }),
    ),
    chart(requestRate(outbound, window, SERVICE)),
  ]);
  return { window, step, start, end, canaryVersions, byVersion, errors, byCode, latency, outbound: calls };
}
