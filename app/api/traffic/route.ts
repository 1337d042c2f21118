import { namespaceQuery } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { readTraffic } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/** Every VirtualService (in one namespace, or all) as the Traffic page shows it; the live stream pushes the same. */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) => readTraffic(user!, query.namespace));
