import { z } from 'zod';
import { namespaceName } from '@/lib/api/param-schemas';
import { revertBody } from '@/lib/api/traffic-schemas';
import { revertibleEntry } from '@/lib/audit/audit';
import { applyRevert, revertPermission } from '@/lib/audit/revert';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

const params = z.object({ namespace: namespaceName, id: z.uuid('is not an audit entry id') });

/**
 * Reverts an audited change: the inverse recomputed from the entry's before/after values,
 * with the version the change produced as precondition, so a later change answers 409 and is
 * never overwritten. Only signed entries of this namespace, of a kind and shape Meshdeck
 * writes. Origin, sign-in and role come first (the wrapper): nobody learns anything about
 * entries without them; then the entry's own action decides the role it needs.
 */
export const POST = route({ auth: 'audit:revert', params }, async ({ request, params: { namespace, id } }) => {
  const entry = await revertibleEntry(namespace, id);
  return auditedWrite(request, revertPermission(entry), { resource: entry.resource, action: 'audit.revert' }, async (body, options) => {
    const { reason } = revertBody.parse(body);
    return { ...(await applyRevert(entry, options)), reason };
  });
});
