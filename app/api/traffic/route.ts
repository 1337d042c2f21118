import { namespaceQuery } from '@/lib/api/param-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { readMeshdeckConfig } from '@/lib/config/reader';
import { effectiveConfig } from '@/lib/config/schema';
import { route } from '@/lib/http/route';
import { listVirtualServiceViews } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

/** Every VirtualService (in one namespace, or all) as the Traffic page shows it. */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) =>
  // Its items are made as the answer is streamed (json()); visibleAnswer makes them an array when it filters.
  visibleAnswer(user!, query.namespace, async () => {
    // Each namespace's canary rule from the mesh configuration: one definition on every page.
    const config = effectiveConfig(await readMeshdeckConfig());
    return listVirtualServiceViews(query.namespace, (namespace) => config.canaryFor(namespace).versions);
  }),
);
