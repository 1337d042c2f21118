import { namespaceQuery } from '@/lib/api/param-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { resilienceView } from '@/lib/k8s/resilience';

export const dynamic = 'force-dynamic';

/** Every DestinationRule's traffic policy and the routes' timeouts and retries (one namespace, or all). */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) =>
  visibleAnswer(user!, query.namespace, () => resilienceView(query.namespace)),
);
