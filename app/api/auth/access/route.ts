import { namespaceQuery } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { readAccess } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/** What the cluster's RBAC lets the signed-in person do on the mesh kinds, per namespace they can see. */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query: { namespace } }) => readAccess(user!, namespace));
