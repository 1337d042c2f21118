import { kpiQuery } from '@/lib/api/kpi-schemas';
import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { kpiPage } from '@/lib/metrics/kpis';

export const dynamic = 'force-dynamic';

/** Every panel of the KPIs page; each carries its data or its own error. */
export async function GET(request: Request) {
  try {
    await requireUser('read');
    const { namespace, seconds, end } = kpiQuery.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== '')));
    return json(await kpiPage({ namespace }, seconds, end));
  } catch (error) {
    return errorResponse(error);
  }
}
