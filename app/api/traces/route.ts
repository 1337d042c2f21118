import { traceSearchQuery } from '@/lib/api/trace-schemas';
import { route } from '@/lib/http/route';
import { jaegerUiUrl, search } from '@/lib/metrics/jaeger';
import { summarize } from '@/lib/traces/trace';

export const dynamic = 'force-dynamic';

/** Trace search (service, operation, tags, time range, duration), as summaries. */
export const GET = route({ auth: 'read', query: traceSearchQuery }, async ({ query }) => {
  const traces = await search(query);
  return { items: traces.map(summarize).sort((a, b) => b.startUs - a.startUs), jaegerUi: jaegerUiUrl() ?? null };
});
