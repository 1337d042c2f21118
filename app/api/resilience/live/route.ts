import { namespaceQuery } from '@/lib/api/param-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { breakerLive } from '@/lib/metrics/resilience';

export const dynamic = 'force-dynamic';

/** Live breaker state per service, failures by response flag over the last 30 minutes, and which Envoy stats are missing. */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) =>
  visibleAnswer(user!, query.namespace, () => breakerLive(query.namespace)),
);
