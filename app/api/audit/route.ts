import { z } from 'zod';
import { namespaceName } from '@/lib/api/param-schemas';
import { listAudit, pendingCount, signingState } from '@/lib/audit/audit';
import { ensureAuditRetention, retentionStatus } from '@/lib/audit/retention';
import { visibleAnswer, visibleNamespaces } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

const filters = z.object({
  namespace: namespaceName.optional(),
  user: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
});

/**
 * The audit trail of every namespace (or one), newest first, filtered, with how far it can be
 * trusted; only entries about namespaces the cluster lets the person see.
 */
export const GET = route({ auth: 'read', query: filters }, ({ user, query }) =>
  visibleAnswer(user!, query.namespace, async () => {
    ensureAuditRetention();
    const entries = await listAudit(query);
    // Entries name their object's namespace under `resource`, which the generic filter does not look into.
    const visible = new Set(await visibleNamespaces(user!, [...new Set(entries.map((e) => e.resource.namespace))]));
    return {
      items: entries.filter((e) => visible.has(e.resource.namespace)),
      signing: signingState(),
      retention: await retentionStatus(),
      pending: pendingCount(),
    };
  }),
);
