// Live circuit-breaker state per service from Prometheus, one query for the table and one
// for the chart: ejections (Envoy's outlier detection), overflows (UO), timeouts (UT),
// retries, and 503/504s by response flag.
import { instantQuery, rangeQuery } from './prometheus';
import { combine, split, stepFor } from './promql';

export interface BreakerStatus {
  service: string;
  ejectedHosts: number;
  ejectionsTotal: number;
  overflowsPerSecond: number;
  timeoutsPerSecond: number;
  retriesPerSecond: number;
  failuresByFlag: Record<string, number>;
  tripped: boolean;
}

// Envoy's cluster names are outbound|<port>|<subset>|<host>: the service is the host's first label.
const serviceOfCluster = 'label_replace(%s, "destination_service_name", "$1", "cluster_name", "outbound\\\\|[0-9]+\\\\|[^|]*\\\\|([^.]+)\\\\..*")';

export async function breakerStatus(namespace?: string): Promise<BreakerStatus[]> {
  const ns = namespace ? `,destination_service_namespace="${namespace}"` : '';
  const byService = (expr: string) => `sum by (destination_service_name) (${serviceOfCluster.replace('%s', expr)})`;
  const parts = split(
    await instantQuery(
      combine({
        ejected: byService('envoy_cluster_outlier_detection_ejections_active'),
        ejections: byService('envoy_cluster_outlier_detection_ejections_enforced_total'),
        retries: byService('rate(envoy_cluster_upstream_rq_retry[1m])'),
        flags: `sum by (destination_service_name, response_flags) (rate(istio_requests_total{reporter="source",response_code=~"50[34]"${ns}}[1m]))`,
      }),
    ),
  );
  const services = new Map<string, BreakerStatus>();
  const entry = (name: string) => {
    let s = services.get(name);
    if (!s) services.set(name, (s = { service: name, ejectedHosts: 0, ejectionsTotal: 0, overflowsPerSecond: 0, timeoutsPerSecond: 0, retriesPerSecond: 0, failuresByFlag: {}, tripped: false }));
    return s;
  };
  for (const s of parts.ejected ?? []) entry(s.metric.destination_service_name ?? '?').ejectedHosts += s.value;
  for (const s of parts.ejections ?? []) entry(s.metric.destination_service_name ?? '?').ejectionsTotal += s.value;
  for (const s of parts.retries ?? []) entry(s.metric.destination_service_name ?? '?').retriesPerSecond += s.value;
  for (const s of parts.flags ?? []) {
    const e = entry(s.metric.destination_service_name ?? '?');
    const flag = s.metric.response_flags ?? '-';
    e.failuresByFlag[flag] = (e.failuresByFlag[flag] ?? 0) + s.value;
    if (flag === 'UO') e.overflowsPerSecond += s.value;
    if (flag === 'UT') e.timeoutsPerSecond += s.value;
  }
  for (const s of services.values()) s.tripped = s.ejectedHosts > 0 || s.overflowsPerSecond > 0;
  return [...services.values()].sort((a, b) => a.service.localeCompare(b.service));
}

/** 503/504s by response flag over time, every service in one range query. */
export async function failuresOverTime(seconds: number, namespace?: string) {
  const ns = namespace ? `,destination_service_namespace="${namespace}"` : '';
  const end = Date.now() / 1000;
  return rangeQuery(`sum by (destination_service_name, response_flags) (rate(istio_requests_total{reporter="source",response_code=~"50[34]"${ns}}[1m]))`, end - seconds, end, stepFor(seconds));
}
