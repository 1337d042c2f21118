import { namespaceQuery } from '@/lib/api/param-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { instantQuery } from '@/lib/metrics/prometheus';

export const dynamic = 'force-dynamic';

/** Live numbers from Prometheus: the mTLS share and 429s per service, one query each. */
// A namespace the cluster hides from the person is refused, as on the Security page itself.
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) => visibleAnswer(user!, query.namespace, async () => {
  const scope = query.namespace ? `,destination_service_namespace="${query.namespace}"` : '';
  const [security, limited] = await Promise.all([
    instantQuery(`sum by (destination_service_name, connection_security_policy) (rate(istio_requests_total{reporter="destination"${scope}}[5m]))`),
    instantQuery(`sum by (destination_service_name) (rate(istio_requests_total{reporter="destination",response_code="429"${scope}}[5m]))`),
  ]);
  const services: Record<string, { mutualTls: number; plaintext: number; rateLimited: number }> = {};
  const entry = (name: string) => (services[name] ??= { mutualTls: 0, plaintext: 0, rateLimited: 0 });
  for (const s of security) {
    const e = entry(s.metric.destination_service_name ?? 'unknown');
    if (s.metric.connection_security_policy === 'mutual_tls') e.mutualTls += s.value;
    else e.plaintext += s.value;
  }
  for (const s of limited) entry(s.metric.destination_service_name ?? 'unknown').rateLimited += s.value;
  return { services };
}));
