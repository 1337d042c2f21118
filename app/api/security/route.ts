import { namespaceQuery } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { readSecurity } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/** mTLS per scope and workload, conflicts, emergencies, JWT, authorization, rate limits. */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) => readSecurity(user!, query.namespace));
