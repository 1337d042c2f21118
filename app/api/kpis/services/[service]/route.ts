import { z } from 'zod';
import { kpiQuery } from '@/lib/api/kpi-schemas';
import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { serviceCharts } from '@/lib/metrics/kpis';

export const dynamic = 'force-dynamic';

const service = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a service name').max(63);

/** Time series for one service: rate by version, requests by code, latency percentiles, outbound calls. */
export async function GET(request: Request, context: { params: Promise<{ service: string }> }) {
  try {
    await requireUser('read');
    const name = service.parse((await context.params).service);
    const { namespace, seconds, end } = kpiQuery.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== '')));
    return json(await serviceCharts({ namespace, service: name }, seconds, end));
  } catch (error) {
    return errorResponse(error);
  }
}
