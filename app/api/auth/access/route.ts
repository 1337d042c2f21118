import { namespaceQuery } from '@/lib/api/param-schemas';
import { clusterAccess } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { listNamespaces } from '@/lib/k8s/namespaces';

export const dynamic = 'force-dynamic';

/** What the cluster's RBAC lets the signed-in person do on the mesh kinds, per namespace they can see. */
export const GET = route({ auth: 'read', query: namespaceQuery }, async ({ user, query: { namespace } }) => {
  const names = namespace ? [namespace] : (await listNamespaces()).map((ns) => ns.name);
  return clusterAccess(user!, names);
});
