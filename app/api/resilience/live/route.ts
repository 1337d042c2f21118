import { namespaceQuery } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { readResilienceLive } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/** Live breaker state per service, failures by response flag over the last 30 minutes, and which Envoy stats are missing. */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) => readResilienceLive(user!, query.namespace));
