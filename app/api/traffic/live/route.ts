import { namespaceQuery } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { readTrafficLive } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/**
 * The Traffic page's live numbers from Prometheus: requests/s, 5xx share, P99 and a sparkline
 * per service version, with the version each DestinationRule subset selects; two queries
 * whatever the number of routes. Without Prometheus it answers 503 saying why, and the page
 * shows that beside the sliders. Services of namespaces the cluster hides are dropped.
 */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) => readTrafficLive(user!, query.namespace));
