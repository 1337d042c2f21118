// The Overview's numbers from Prometheus: RED per namespace in one query for every namespace,
// and which namespace each alert is about.
import { alerts, instantQuery, type Alert, type Sample } from './prometheus';
import { combine, errorRatioOf, latencyQuantileOf, quote, requestRateOf, split } from './promql';

/** The rate window of the Overview: the same 5 minutes the mesh's alert rules look at. */
export const OVERVIEW_WINDOW = '5m';
const BY_NAMESPACE = ['destination_service_namespace'];

/** Requests into a namespace's services: rate, 5xx share and P99 over the window. */
export interface NamespaceRed {
  namespace: string;
  rate: number;
  errorRatio: number;
  p99: number | null;
}

/** One query for rate, errors and P99 of every namespace (or one): `sum by (destination_service_namespace)`. */
export function overviewPromql(namespace?: string): string {
  const sel = `{${['reporter="destination"', ...(namespace ? [`destination_service_namespace=${quote(namespace)}`] : [])].join(',')}}`;
  return combine({
    rate: requestRateOf(sel, OVERVIEW_WINDOW, BY_NAMESPACE),
    errors: errorRatioOf(sel, OVERVIEW_WINDOW, BY_NAMESPACE),
    p99: latencyQuantileOf(0.99, sel, OVERVIEW_WINDOW, BY_NAMESPACE),
  });
}

const finite = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);

/** Folds the combined answer into one row per namespace that has traffic. Pure. */
export function namespaceRedRows(samples: Sample[]): NamespaceRed[] {
  const parts = split(samples);
  const of = (part: string) => new Map((parts[part] ?? []).map((s) => [s.metric.destination_service_namespace ?? '', s.value]));
  const errors = of('errors');
  const p99 = of('p99');
  return (parts.rate ?? []).map((s) => {
    const namespace = s.metric.destination_service_namespace ?? '';
    return { namespace, rate: s.value, errorRatio: finite(errors.get(namespace)) ?? 0, p99: finite(p99.get(namespace)) };
  });
}

export async function namespaceRed(namespace?: string): Promise<NamespaceRed[]> {
  return namespaceRedRows(await instantQuery(overviewPromql(namespace)));
}

/** The namespace an alert is about: Istio's destination namespace label, or a plain `namespace` label. */
export const alertNamespace = (alert: Pick<Alert, 'labels'>): string | undefined => alert.labels.destination_service_namespace ?? alert.labels.namespace;

/** A firing alert as the Overview lists it. */
export interface FiringAlert {
  name: string;
  namespace?: string;
  service?: string;
  severity?: string;
  since?: string;
  summary?: string;
}

/** Prometheus' firing alerts (pending ones are not news yet), oldest first. */
export async function firingAlerts(): Promise<FiringAlert[]> {
  return (await alerts())
    .filter((a) => a.state === 'firing')
    .sort((a, b) => (a.activeAt ?? '').localeCompare(b.activeAt ?? ''))
    .map((a) => ({
      name: a.labels.alertname ?? 'unnamed alert',
      namespace: alertNamespace(a),
      service: a.labels.destination_service_name,
      severity: a.labels.severity,
      since: a.activeAt,
      summary: a.annotations.summary ?? a.annotations.description,
    }));
}
