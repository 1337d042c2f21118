import { queryOptions } from '@tanstack/react-query';
import type { OverviewAnswer } from '@/lib/overview/health';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';
import { metricsPolling } from './metrics-refresh';

/** Prometheus numbers (and a few counts): polled at the refresh the person picked (useMetricsRefresh). */
export const overviewQuery = (namespace: string, refreshSeconds: number) =>
  queryOptions({
    queryKey: queryKeys.overview(namespace),
    queryFn: () => fetchJson<OverviewAnswer>(namespace ? `/api/overview?${new URLSearchParams({ namespace })}` : '/api/overview'),
    ...metricsPolling(refreshSeconds),
  });
