import { queryOptions } from '@tanstack/react-query';
import type { TrafficLive } from '@/lib/metrics/traffic-live';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';
import { metricsPolling } from './metrics-refresh';

/**
 * The numbers beside every destination of the Traffic page (Prometheus, two queries for the
 * page): polled at the refresh the person picked (useMetricsRefresh). No retry: without
 * Prometheus the answer says why at once, and the sliders work regardless.
 */
export const trafficLiveQuery = (namespace: string, refreshSeconds: number) =>
  queryOptions({
    queryKey: queryKeys.traffic.live(namespace),
    queryFn: () => fetchJson<TrafficLive>(`/api/traffic/live${namespace ? `?namespace=${encodeURIComponent(namespace)}` : ''}`),
    ...metricsPolling(refreshSeconds),
    retry: false,
  });
