import { namespaceQuery } from '@/lib/api/param-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { securityView } from '@/lib/k8s/security';

export const dynamic = 'force-dynamic';

/** mTLS per scope and workload, conflicts, emergencies, JWT, authorization, rate limits. */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) =>
  visibleAnswer(user!, query.namespace, () => securityView(query.namespace)),
);
