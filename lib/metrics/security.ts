// The Security page's live numbers from Prometheus, one query for the panel: per service
// (namespace and name, so same-named services in two namespaces stay apart), the requests it
// received over mTLS and in plaintext, and those its sidecar answered 429.
import { instantQuery } from './prometheus';
import { combine, split } from './promql';

export interface ServiceSecurityLive {
  namespace: string;
  service: string;
  /** Requests per second received with mutual TLS, in plaintext, and refused with 429. */
  mutualTls: number;
  plaintext: number;
  rateLimited: number;
}

/** PromQL for the panel, scoped to a namespace when one is given (pure). */
export function securityLivePromql(namespace?: string): string {
  const scope = namespace ? `,destination_service_namespace=${JSON.stringify(namespace)}` : '';
  const by = 'destination_service_namespace, destination_service_name';
  return combine({
    security: `sum by (${by}, connection_security_policy) (rate(istio_requests_total{reporter="destination"${scope}}[5m]))`,
    limited: `sum by (${by}) (rate(istio_requests_total{reporter="destination",response_code="429"${scope}}[5m]))`,
  });
}

/** Folds the combined answer into one row per service, sorted by namespace and name (pure). */
export function securityLiveRows(results: { metric: Record<string, string>; value: number }[]): ServiceSecurityLive[] {
  const rows = new Map<string, ServiceSecurityLive>();
  const row = (m: Record<string, string>) => {
    const namespace = m.destination_service_namespace ?? '';
    const service = m.destination_service_name ?? 'unknown';
    const key = `${namespace}/${service}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { namespace, service, mutualTls: 0, plaintext: 0, rateLimited: 0 }));
    return r;
  };
  const parts = split(results);
  for (const s of parts.security ?? []) {
    if (s.metric.connection_security_policy === 'mutual_tls') row(s.metric).mutualTls += s.value;
    else row(s.metric).plaintext += s.value;
  }
  for (const s of parts.limited ?? []) row(s.metric).rateLimited += s.value;
  return [...rows.values()].sort((a, b) => `${a.namespace}/${a.service}`.localeCompare(`${b.namespace}/${b.service}`));
}

/** The panel's rows, from one Prometheus query. */
export async function securityLive(namespace?: string): Promise<ServiceSecurityLive[]> {
  return securityLiveRows(await instantQuery(securityLivePromql(namespace)));
}
