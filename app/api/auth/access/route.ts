import { z } from 'zod';
import { clusterAccess } from '@/lib/auth/cluster-access';
import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { listNamespaces } from '@/lib/k8s/namespaces';

export const dynamic = 'force-dynamic';

const query = z.object({ namespace: z.string().regex(/^[a-z0-9-]{1,63}$/, 'must be a namespace name').optional() });

/** What the cluster's RBAC lets the signed-in person do on the mesh kinds, per namespace they can see. */
export async function GET(request: Request) {
  try {
    const user = await requireUser('read');
    const { namespace } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
    const names = namespace ? [namespace] : (await listNamespaces()).map((ns) => ns.name);
    return json(await clusterAccess(user, names));
  } catch (error) {
    return errorResponse(error);
  }
}
