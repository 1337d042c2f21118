import { z } from 'zod';
import { revertibleEntry } from '@/lib/audit/audit';
import { applyRevert, revertPermission } from '@/lib/audit/revert';
import { revertBody } from '@/lib/api/traffic-schemas';
import { requireUser } from '@/lib/auth/session';
import { auditedWrite } from '@/lib/http/audited-write';
import { requireSameOrigin } from '@/lib/http/guards';
import { errorResponse } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

const params = z.object({ namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'is not a namespace name'), id: z.uuid('is not an audit entry id') });

/**
 * Reverts an audited change: the inverse recomputed from the entry's before/after values,
 * with the version the change produced as precondition, so a later change answers 409 and is
 * never overwritten. Only signed entries of this namespace, of a kind and shape Meshdeck
 * writes. Sign-in and role come first: nobody learns anything about entries without them.
 */
export async function POST(request: Request, context: { params: Promise<{ namespace: string; id: string }> }) {
  try {
    requireSameOrigin(request);
    await requireUser('audit:revert');
    const { namespace, id } = params.parse(await context.params);
    const entry = await revertibleEntry(namespace, id);
    return auditedWrite(request, revertPermission(entry), { resource: entry.resource, action: 'audit.revert' }, async (body, options) => {
      const { reason } = revertBody.parse(body);
      return { ...(await applyRevert(entry, options)), reason };
    });
  } catch (error) {
    return errorResponse(error);
  }
}
