import { z } from 'zod';
import { traceId } from '@/lib/api/trace-schemas';
import { route } from '@/lib/http/route';
import { jaegerUiUrl, trace } from '@/lib/metrics/jaeger';
import { summarize, waterfall } from '@/lib/traces/trace';

export const dynamic = 'force-dynamic';

/** One trace: its summary and the waterfall with the critical path marked. */
export const GET = route({ auth: 'read', params: z.object({ id: traceId }) }, async ({ params: { id } }) => {
  const found = await trace(id);
  const ui = jaegerUiUrl();
  return { summary: summarize(found), rows: waterfall(found), jaegerUrl: ui ? `${ui}/trace/${id}` : null };
});
