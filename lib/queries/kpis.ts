import { queryOptions } from '@tanstack/react-query';
import type { kpiPage, serviceCharts } from '@/lib/metrics/kpis';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';
import { metricsPolling } from './metrics-refresh';

export type KpiPage = Awaited<ReturnType<typeof kpiPage>>;
export type ServiceCharts = Awaited<ReturnType<typeof serviceCharts>>;
export interface KpiParams {
  namespace: string;
  range: string;
  from?: string;
  to?: string;
  /** Seconds between refreshes (useMetricsRefresh); 0 = off. */
  refresh: number;
}

const params = (p: KpiParams) =>
  new URLSearchParams(Object.entries({ namespace: p.namespace, range: p.range, from: p.from ?? '', to: p.to ?? '' }).filter(([, v]) => v));

export const kpiQuery = (p: KpiParams) =>
  queryOptions({
    queryKey: queryKeys.kpis.page(p),
    queryFn: () => fetchJson<KpiPage>(`/api/kpis?${params(p)}`),
    ...metricsPolling(p.refresh),
  });

export const serviceChartsQuery = (p: KpiParams, service: string) =>
  queryOptions({
    queryKey: queryKeys.kpis.service(service, p),
    queryFn: () => fetchJson<ServiceCharts>(`/api/kpis/services/${encodeURIComponent(service)}?${params(p)}`),
    ...metricsPolling(p.refresh),
  });
