import { namespaceQuery } from '@/lib/api/param-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { securityLive } from '@/lib/metrics/security';

export const dynamic = 'force-dynamic';

/**
 * Live numbers from Prometheus: the mTLS share and 429s per service (namespace and name), one
 * query. A namespace the cluster hides from the person is refused, and rows of hidden
 * namespaces are dropped, as on the Security page itself.
 */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) =>
  visibleAnswer(user!, query.namespace, async () => ({ services: await securityLive(query.namespace) })),
);
