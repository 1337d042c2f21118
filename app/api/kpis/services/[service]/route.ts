import { z } from 'zod';
import { kpiQuery } from '@/lib/api/kpi-schemas';
import { labelName } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { serviceCharts } from '@/lib/metrics/kpis';

export const dynamic = 'force-dynamic';

const params = z.object({ service: labelName('service') });

/** Time series for one service: rate by version, requests by code, latency percentiles, outbound calls. */
export const GET = route({ auth: 'read', params, query: kpiQuery }, ({ params: { service }, query: { namespace, seconds, end } }) =>
  serviceCharts({ namespace, service }, seconds, end),
);
