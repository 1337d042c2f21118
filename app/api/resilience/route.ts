import { namespaceQuery } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { readResilience } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/** Every DestinationRule's traffic policy and the routes' timeouts and retries (one namespace, or all). */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) => readResilience(user!, query.namespace));
