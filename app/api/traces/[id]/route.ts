import { traceId } from '@/lib/api/trace-schemas';
import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { jaegerUiUrl, trace } from '@/lib/metrics/jaeger';
import { summarize, waterfall } from '@/lib/traces/trace';

export const dynamic = 'force-dynamic';

/** One trace: its summary and the waterfall with the critical path marked. */
export async function GET(_request: Request, context: { params: Promise<{ id: string }> }) {
  try {
    await requireUser('read');
    const id = traceId.parse((await context.params).id);
    const found = await trace(id);
    const ui = jaegerUiUrl();
    return json({ summary: summarize(found), rows: waterfall(found), jaegerUrl: ui ? `${ui}/trace/${id}` : null });
  } catch (error) {
    return errorResponse(error);
  }
}
