import { queryOptions } from '@tanstack/react-query';
import type { ResilienceView } from '@/lib/k8s/resilience';
import type { BreakerLive } from '@/lib/metrics/resilience';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';
import { pushedQuery } from './live-status';
import { metricsPolling } from './metrics-refresh';

export type { ResilienceView };
const ns = (namespace: string) => (namespace ? `?namespace=${encodeURIComponent(namespace)}` : '');

export const resilienceQuery = (namespace: string) =>
  queryOptions({
    queryKey: queryKeys.resilience.list(namespace),
    queryFn: () => fetchJson<ResilienceView>(`/api/resilience${ns(namespace)}`),
    ...pushedQuery,
  });
/** Prometheus: polled at the refresh the person picked (useMetricsRefresh). */
export const breakerQuery = (namespace: string, refreshSeconds: number) =>
  queryOptions({
    queryKey: queryKeys.resilience.live(namespace),
    queryFn: () => fetchJson<BreakerLive>(`/api/resilience/live${ns(namespace)}`),
    ...metricsPolling(refreshSeconds),
    retry: false,
  });

/** Where a DestinationRule's traffic policy edit goes (PUT; `?dryRun=true` previews it). */
export const policyUrl = (namespace: string, name: string) => `/api/resilience/rules/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
/** Where a route's timeout and retries edit goes (PUT; `?dryRun=true` previews it). */
export const routeResilienceUrl = (namespace: string, name: string, index: number) =>
  `/api/resilience/routes/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${index}`;
