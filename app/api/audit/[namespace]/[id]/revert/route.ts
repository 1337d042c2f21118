import { z } from 'zod';
import { findEntry, markReverted } from '@/lib/audit/audit';
import { revertBody } from '@/lib/api/traffic-schemas';
import { auditedWrite } from '@/lib/http/traffic-write';
import { errorResponse } from '@/lib/http/responses';
import { ApiError } from '@/lib/k8s/errors';
import { applyRevert, freshView } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

const params = z.object({ namespace: z.string().regex(/^[a-z0-9-]{1,63}$/), id: z.uuid('is not an audit entry id') });

/**
 * Reverts an audited change: applies its inverse patch, whose precondition is the version
 * the change produced, so a revert never overwrites a later change. The revert is audited.
 */
export async function POST(request: Request, context: { params: Promise<{ namespace: string; id: string }> }) {
  const parsed = params.safeParse(await context.params);
  if (!parsed.success) return errorResponse(parsed.error);
  const { namespace, id } = parsed.data;
  let name = '';
  try {
    const entry = await findEntry(namespace, id);
    name = entry.resource.name;
    if (!entry.revert?.length || entry.result !== 'applied') throw new ApiError(400, 'This entry cannot be reverted: it changed nothing', 'BadRequest');
    if (entry.revertedBy) throw new ApiError(409, `This change was already reverted (entry ${entry.revertedBy})`, 'Conflict');
  } catch (error) {
    return errorResponse(error);
  }
  return auditedWrite(request, 'audit:revert', { namespace, name, action: 'audit.revert' }, async (body, options, user) => {
    const { reason } = revertBody.parse(body);
    const entry = await findEntry(namespace, id);
    await applyRevert(namespace, name, entry.revert!, options);
    await markReverted(namespace, id, `${user.email ?? user.name} at ${new Date().toISOString()}`);
    // A revert is not itself offered for revert: apply the original change again instead.
    return { view: await freshView(namespace, name), patch: entry.revert!, revert: [], summary: `reverted ${entry.summary}`, reason };
  });
}
