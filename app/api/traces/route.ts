import { traceSearchQuery } from '@/lib/api/trace-schemas';
import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { jaegerUiUrl, search } from '@/lib/metrics/jaeger';
import { summarize } from '@/lib/traces/trace';

export const dynamic = 'force-dynamic';

/** Trace search (service, operation, tags, time range, duration), as summaries. */
export async function GET(request: Request) {
  try {
    await requireUser('read');
    const query = traceSearchQuery.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== '')));
    const traces = await search(query);
    return json({ items: traces.map(summarize).sort((a, b) => b.startUs - a.startUs), jaegerUi: jaegerUiUrl() ?? null });
  } catch (error) {
    return errorResponse(error);
  }
}
