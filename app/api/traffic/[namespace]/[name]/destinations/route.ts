import { routeParams } from '@/lib/api/traffic-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { destinationOptions } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

const params = routeParams.omit({ index: true });

/** What a route of this VirtualService can add as a destination: its namespace's DestinationRule hosts and subsets. */
export const GET = route({ auth: 'read', params }, async ({ user, params: { namespace } }) =>
  visibleAnswer(user!, namespace, async () => ({ namespace, items: await destinationOptions(namespace) })),
);
