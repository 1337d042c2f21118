import { z } from 'zod';
import { kpiQuery } from '@/lib/api/kpi-schemas';
import { route } from '@/lib/http/route';
import { serviceCharts } from '@/lib/metrics/kpis';

export const dynamic = 'force-dynamic';

const params = z.object({
  service: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a service name')
    .max(63),
});

/** Time series for one service: rate by version, requests by code, latency percentiles, outbound calls. */
export const GET = route({ auth: 'read', params, query: kpiQuery }, ({ params: { service }, query: { namespace, seconds, end } }) =>
  serviceCharts({ namespace, service }, seconds, end),
);
