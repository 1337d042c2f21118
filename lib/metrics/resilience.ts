// Live circuit-breaker state per service from Prometheus, one query for the table and one
// for the chart. Istio's standard metrics give the response flags (UO overflow, UH no
// healthy upstream, UT timeout, URX retries exhausted) on every mesh; Envoy's outlier and
// retry counters exist only where proxyStatsMatcher asks for them, so their absence is
// detected and reported with the setting that turns them on, never shown as zero.
import { instantQuery, rangeQuery, type Series } from './prometheus';
import { combine, quote, split, stepFor } from './promql';

/** The Envoy cluster stats Meshdeck reads, as Prometheus names them. */
export const ENVOY_STATS = {
  ejectionsActive: 'envoy_cluster_outlier_detection_ejections_active',
  ejectionsEnforced: 'envoy_cluster_outlier_detection_ejections_enforced_total',
  retries: 'envoy_cluster_upstream_rq_retry',
  pendingOverflow: 'envoy_cluster_upstream_rq_pending_overflow',
} as const;
export type EnvoyStatName = (typeof ENVOY_STATS)[keyof typeof ENVOY_STATS];

/** proxyStatsMatcher regexes (on Envoy's stat names, e.g. cluster.outbound|8080||svc.ns.svc.cluster.local.outlier_detection.ejections_active) that turn them on. */
export const PROXY_STATS_REGEXPS = ['.*outlier_detection.*', '.*upstream_rq_retry.*', '.*upstream_rq_pending_overflow.*'];

const regexpList = (indent: string) => PROXY_STATS_REGEXPS.map((r) => `${indent}- "${r}"`).join('\n');

/** Mesh-wide: the IstioOperator (or Helm values `meshConfig:`, or the `mesh` key of ConfigMap istio in istio-system). */
export const MESH_WIDE_SETTING = `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  meshConfig:
    defaultConfig:
      proxyStatsMatcher:
        inclusionRegexps:
${regexpList('          ')}`;

/** Per workload: the pod template's annotation (the ingress gateway's too, for traffic entering there). */
export const POD_ANNOTATION_SETTING = `spec:
  template:
    metadata:
      annotations:
        proxy.istio.io/config: |
          proxyStatsMatcher:
            inclusionRegexps:
${regexpList('              ')}`;

export interface EnvoyStatsState {
  /** Stats Prometheus has no series of at all: the proxies do not export them. */
  missing: EnvoyStatName[];
  /** Stats that exist, but not for the services in view: the pods calling them do not export them. */
  missingInScope: EnvoyStatName[];
  /** What to tell the operator, when something the page reads is missing. */
  notice?: EnvoyStatsNotice;
}

export interface EnvoyStatsNotice {
  summary: string;
  /** What the page still shows without them. */
  fallback: string;
  meshWide: string;
  podAnnotation: string;
}

export interface BreakerStatus {
  /** A service is its namespace and name: same-named services of two namespaces are two rows. */
  namespace: string;
  service: string;
  /** null: Envoy's outlier stats are not exported (unknown, not zero). */
  ejectedHosts: number | null;
  ejectionsTotal: number | null;
  retriesPerSecond: number | null;
  overflowsPerSecond: number;
  noHealthyUpstreamPerSecond: number;
  timeoutsPerSecond: number;
  retriesExhaustedPerSecond: number;
  failuresByFlag: Record<string, number>;
  tripped: boolean;
}

export interface BreakerLive {
  status: BreakerStatus[];
  history: Series[];
  envoy: EnvoyStatsState;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matchers on Envoy's cluster_name (outbound|<port>|<subset>|<host>) for services of one namespace. */
export const envoyClusterSelector = (namespace?: string) =>
  namespace ? `{cluster_name=~${quote(`outbound\\|[0-9]+\\|[^|]*\\|[^.]+\\.${escapeRegex(namespace)}\\..*`)}}` : '';

// The service and its namespace are the first two labels of the cluster's host (outbound|port|subset|name.namespace.svc...).
const CLUSTER_HOST = quote('outbound\\|[0-9]+\\|[^|]*\\|([^.]+)\\.([^.]+)\\..*');
const byService = (expr: string) =>
  `sum by (destination_service_namespace, destination_service_name) (label_replace(label_replace(${expr}, "destination_service_name", "$1", "cluster_name", ${CLUSTER_HOST}), "destination_service_namespace", "$2", "cluster_name", ${CLUSTER_HOST}))`;

const failuresByFlag = (namespace?: string) =>
  `sum by (destination_service_namespace, destination_service_name, response_flags) (rate(istio_requests_total{reporter="source",response_code=~"50[34]"${namespace ? `,destination_service_namespace=${quote(namespace)}` : ''}}[1m]))`;

const READ: EnvoyStatName[] = [ENVOY_STATS.ejectionsActive, ENVOY_STATS.ejectionsEnforced, ENVOY_STATS.retries];

/** The table's single query: Envoy's counters by service, response flags by service, and which Envoy stats exist at all. */
export function breakerQuery(namespace?: string): string {
  const sel = envoyClusterSelector(namespace);
  return combine({
    ejected: byService(`${ENVOY_STATS.ejectionsActive}${sel}`),
    ejections: byService(`${ENVOY_STATS.ejectionsEnforced}${sel}`),
    retries: byService(`rate(${ENVOY_STATS.retries}${sel}[1m])`),
    flags: failuresByFlag(namespace),
    // Mesh-wide, whatever the namespace: tells "not exported" from "none for these services".
    present: `label_replace(count by (__name__) ({__name__=~${quote(Object.values(ENVOY_STATS).join('|'))}}), "metric", "$1", "__name__", "(.+)")`,
  });
}

/** Which Envoy stats are absent, from the parts of the table's query. */
export function envoyStatsState(parts: Record<string, { metric: Record<string, string> }[]>, namespace?: string): EnvoyStatsState {
  const present = new Set((parts.present ?? []).map((s) => s.metric.metric));
  const inScope: Record<string, boolean> = {
    [ENVOY_STATS.ejectionsActive]: Boolean(parts.ejected?.length),
    [ENVOY_STATS.ejectionsEnforced]: Boolean(parts.ejections?.length),
    [ENVOY_STATS.retries]: Boolean(parts.retries?.length),
  };
  const missing = Object.values(ENVOY_STATS).filter((name) => !present.has(name));
  const missingInScope = READ.filter((name) => present.has(name) && !inScope[name]);
  return { missing, missingInScope, notice: envoyStatsNotice(missing, missingInScope, namespace) };
}

/** The message for missing Envoy stats, with the settings that turn them on; undefined when nothing the page reads is missing. */
export function envoyStatsNotice(missing: EnvoyStatName[], missingInScope: EnvoyStatName[], namespace?: string): EnvoyStatsNotice | undefined {
  const read = missing.filter((name) => READ.includes(name));
  if (read.length === 0 && missingInScope.length === 0) return undefined;
  const summary = read.length
    ? `Prometheus has no series of ${read.join(', ')}: the Istio proxies do not export Envoy's outlier-detection and retry stats (a stock sidecar does not), so ejections and retries are unknown, not zero.`
    : `Envoy's stats ${missingInScope.join(', ')} exist in Prometheus, but none for the services ${namespace ? `of ${namespace}` : 'shown'}: the pods that call them (or the ingress gateway) do not export them.`;
  return {
    summary,
    fallback:
      "Shown from Istio's standard metrics instead: overflows (UO), no healthy upstream (UH, every host ejected), timeouts (UT) and retries exhausted (URX), from the response flags of istio_requests_total.",
    meshWide: MESH_WIDE_SETTING,
    podAnnotation: POD_ANNOTATION_SETTING,
  };
}

/** Per-service breaker state from the table's query result, one row per namespace and service. */
export function breakerRows(parts: Record<string, { metric: Record<string, string>; value: number }[]>, envoy: EnvoyStatsState): BreakerStatus[] {
  const known = (name: EnvoyStatName) => !envoy.missing.includes(name) && !envoy.missingInScope.includes(name);
  const services = new Map<string, BreakerStatus>();
  const entry = (metric: Record<string, string>) => {
    const namespace = metric.destination_service_namespace ?? '';
    const name = metric.destination_service_name ?? '?';
    let s = services.get(`${namespace}/${name}`);
    if (!s) {
      s = {
        namespace,
        service: name,
        ejectedHosts: known(ENVOY_STATS.ejectionsActive) ? 0 : null,
        ejectionsTotal: known(ENVOY_STATS.ejectionsEnforced) ? 0 : null,
        retriesPerSecond: known(ENVOY_STATS.retries) ? 0 : null,
        overflowsPerSecond: 0,
        noHealthyUpstreamPerSecond: 0,
        timeoutsPerSecond: 0,
        retriesExhaustedPerSecond: 0,
        failuresByFlag: {},
        tripped: false,
      };
      services.set(`${namespace}/${name}`, s);
    }
    return s;
  };
  const add = (value: number | null, more: number) => (value ?? 0) + more;
  for (const s of parts.ejected ?? []) {
    const e = entry(s.metric);
    e.ejectedHosts = add(e.ejectedHosts, s.value);
  }
  for (const s of parts.ejections ?? []) {
    const e = entry(s.metric);
    e.ejectionsTotal = add(e.ejectionsTotal, s.value);
  }
  for (const s of parts.retries ?? []) {
    const e = entry(s.metric);
    e.retriesPerSecond = add(e.retriesPerSecond, s.value);
  }
  for (const s of parts.flags ?? []) {
    const e = entry(s.metric);
    const flags = s.metric.response_flags ?? '-';
    e.failuresByFlag[flags] = (e.failuresByFlag[flags] ?? 0) + s.value;
    // Envoy joins several flags with commas (UH,URX): count the request under each.
    for (const flag of flags.split(',')) {
      if (flag === 'UO') e.overflowsPerSecond += s.value;
      if (flag === 'UH') e.noHealthyUpstreamPerSecond += s.value;
      if (flag === 'UT') e.timeoutsPerSecond += s.value;
      if (flag === 'URX') e.retriesExhaustedPerSecond += s.value;
    }
  }
  // UH means every host is ejected or unhealthy: the breaker as the callers see it.
  for (const s of services.values()) s.tripped = (s.ejectedHosts ?? 0) > 0 || s.overflowsPerSecond > 0 || s.noHealthyUpstreamPerSecond > 0;
  return [...services.values()].sort((a, b) => a.service.localeCompare(b.service) || a.namespace.localeCompare(b.namespace));
}

/** The live breaker table and which Envoy stats are missing, in one query. */
export async function breakerStatus(namespace?: string): Promise<{ status: BreakerStatus[]; envoy: EnvoyStatsState }> {
  const parts = split(await instantQuery(breakerQuery(namespace)));
  const envoy = envoyStatsState(parts, namespace);
  return { status: breakerRows(parts, envoy), envoy };
}

/** 503/504s by response flag over time, every service in one range query. */
export async function failuresOverTime(seconds: number, namespace?: string) {
  const end = Date.now() / 1000;
  return rangeQuery(failuresByFlag(namespace), end - seconds, end, stepFor(seconds));
}

/** The Resilience page's live panel: breaker table, failure history, Envoy stats state. */
export async function breakerLive(namespace?: string): Promise<BreakerLive> {
  const [{ status, envoy }, history] = await Promise.all([breakerStatus(namespace), failuresOverTime(1800, namespace)]);
  return { status, history, envoy };
}
