import { z } from 'zod';
import { findEntry, markReverted } from '@/lib/audit/audit';
import { revertBody } from '@/lib/api/traffic-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { errorResponse } from '@/lib/http/responses';
import { ApiError } from '@/lib/k8s/errors';
import { applyRevert } from '@/lib/k8s/virtual-services';
import type { AuditEntry } from '@/lib/audit/audit';

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
  let entry: AuditEntry;
  try {
    entry = await findEntry(namespace, id);
    if (!entry.revert?.length || entry.result !== 'applied') throw new ApiError(400, 'This entry cannot be reverted: it changed nothing', 'BadRequest');
    if (entry.revertedBy) throw new ApiError(409, `This change was already reverted (entry ${entry.revertedBy})`, 'Conflict');
  } catch (error) {
    return errorResponse(error);
  }
  // Reverting a security change needs the rights that change needed.
  const permission = ['PeerAuthentication', 'RequestAuthentication', 'AuthorizationPolicy', 'EnvoyFilter'].includes(entry.resource.kind) ? 'security:write' : 'audit:revert';
  return auditedWrite(request, permission, { resource: entry.resource, action: 'audit.revert' }, async (body, options, user) => {
    const { reason } = revertBody.parse(body);
    const updated = await applyRevert(entry.resource, entry.revert!, options);
    await markReverted(namespace, id, `${user.email ?? user.name} at ${new Date().toISOString()}`);
    // A revert is not itself offered for revert: apply the original change again instead.
    return { item: updated, patch: entry.revert!, revert: [], summary: `reverted ${entry.summary}`, reason, resourceVersion: (updated as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion };
  });
}
