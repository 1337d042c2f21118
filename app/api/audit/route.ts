import { z } from 'zod';
import { namespaceName } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { readAudit } from '@/lib/live/reads';

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
export const GET = route({ auth: 'read', query: filters }, ({ user, query }) => readAudit(user!, query));
