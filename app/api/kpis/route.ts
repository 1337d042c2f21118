import { kpiQuery } from '@/lib/api/kpi-schemas';
import { route } from '@/lib/http/route';
import { kpiPage } from '@/lib/metrics/kpis';

export const dynamic = 'force-dynamic';

/** Every panel of the KPIs page; each carries its data or its own error. */
export const GET = route({ auth: 'read', query: kpiQuery }, ({ query: { namespace, seconds, end } }) => kpiPage({ namespace }, seconds, end));
