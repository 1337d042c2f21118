import { traceSearchQuery } from '@/lib/api/trace-schemas';
import { route } from '@/lib/http/route';
import { jaegerUiUrl, searchTraces } from '@/lib/metrics/jaeger';
import { summarize } from '@/lib/traces/trace';

export const dynamic = 'force-dynamic';

/** Trace search (service, operation, tags, time range, duration), as summaries; without a time range, sized by the service's traffic. */
export const GET = route({ auth: 'read', query: traceSearchQuery }, async ({ query }) => {
  const { traces, plan } = await searchTraces(query);
  return { items: traces.map(summarize).sort((a, b) => b.startUs - a.startUs), jaegerUi: jaegerUiUrl() ?? null, rule: plan?.rule ?? null };
});
