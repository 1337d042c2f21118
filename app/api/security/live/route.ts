import { namespaceQuery } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { readSecurityLive } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/**
 * Live numbers from Prometheus: the mTLS share and 429s per service (namespace and name), one
 * query. A namespace the cluster hides from the person is refused, and rows of hidden
 * namespaces are dropped, as on the Security page itself.
 */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) => readSecurityLive(user!, query.namespace));
