import { queryOptions } from '@tanstack/react-query';
import type { GroupBy } from '@/lib/mesh/graph';
import type { GraphSeries } from '@/lib/metrics/graph-series';
import { fetchJson } from './fetch-json';
import { metricsPolling } from './metrics-refresh';

export type GraphSeriesRange = '15m' | '1h';

/** The graph side panel's charts of one node or edge (GET /api/graph/series), polled at the chosen refresh. */
export const graphSeriesQuery = (id: string, groupBy: GroupBy, range: GraphSeriesRange, refreshSeconds: number) =>
  queryOptions({
    queryKey: ['graph', 'series', id, groupBy, range] as const,
    queryFn: () => fetchJson<GraphSeries>(`/api/graph/series?${new URLSearchParams({ id, groupBy, range })}`),
    ...metricsPolling(refreshSeconds),
    retry: false,
  });
