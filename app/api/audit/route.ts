import { z } from 'zod';
import { listAudit } from '@/lib/audit/audit';
import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

const filters = z.object({
  namespace: z.string().regex(/^[a-z0-9-]{1,63}$/).optional(),
  user: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
});

/** The audit trail of every namespace (or one), newest first, filtered. */
export async function GET(request: Request) {
  try {
    await requireUser('read');
    const query = filters.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== '')));
    return json({ items: await listAudit(query) });
  } catch (error) {
    return errorResponse(error);
  }
}
