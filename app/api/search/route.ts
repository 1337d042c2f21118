import { z } from 'zod';
import { onlyVisible } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { searchablesOf, SEARCHED } from '@/lib/k8s/search-index';
import { SEARCH_QUERY_MAX, searchObjects } from '@/lib/mesh/search';

export const dynamic = 'force-dynamic';

const searchQuery = z.object({ q: z.string().max(SEARCH_QUERY_MAX, `must be at most ${SEARCH_QUERY_MAX} characters`).optional() });

/**
 * The header's search: VirtualServices, DestinationRules, Services and security policies whose
 * name or host matches `q`, best first, from the watch caches; only what the cluster lets the
 * person list. A kind whose cache cannot be read is left out and named in `unavailable`.
 */
export const GET = route({ auth: 'read', query: searchQuery }, async ({ user, query }) => {
  const q = query.q ?? '';
  if (!q.trim()) return searchObjects([], q);
  const read = await Promise.allSettled(
    SEARCHED.map(async (searched) => onlyVisible(user!, await searchablesOf(searched), (s) => s.namespace, [searched.descriptor])),
  );
  const failed = read.flatMap((r, i) => (r.status === 'rejected' ? [{ kind: SEARCHED[i]!.kind, reason: r.reason as unknown }] : []));
  if (failed.length === SEARCHED.length) throw failed[0]!.reason;
  const answer = searchObjects(
    read.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])),
    q,
  );
  return { ...answer, unavailable: failed.map((f) => f.kind) };
});
