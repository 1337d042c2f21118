import { z } from 'zod';
import { listAudit, pendingCount, signingState } from '@/lib/audit/audit';
import { ensureAuditRetention, retentionStatus } from '@/lib/audit/retention';
import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

const filters = z.object({
  namespace: z.string().regex(/^[a-z0-9-]{1,63}$/).optional(),
  user: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
});

/** The audit trail of every namespace (or one), newest first, filtered, with how far it can be trusted. */
export async function GET(request: Request) {
  try {
    await requireUser('read');
    ensureAuditRetention();
    const query = filters.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== '')));
    return json({ items: await listAudit(query), signing: signingState(), retention: await retentionStatus(), pending: pendingCount() });
  } catch (error) {
    return errorResponse(error);
  }
}
