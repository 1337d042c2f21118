import { namespaceQuery } from '@/lib/api/param-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { listVirtualServiceViews } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

/** Every VirtualService (in one namespace, or all) as the Traffic page shows it. */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) =>
  // Its items are made as the answer is streamed (json()); visibleAnswer makes them an array when it filters.
  visibleAnswer(user!, query.namespace, () => listVirtualServiceViews(query.namespace)),
);
