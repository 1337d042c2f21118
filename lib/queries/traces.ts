import { queryOptions } from '@tanstack/react-query';
import { jaegerServiceName } from '@/lib/metrics/trace-search';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import type { TraceSummary, WaterfallRow } from '@/lib/traces/trace';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';

export const traceServicesQuery = () =>
  queryOptions({
    queryKey: queryKeys.traces.services(),
    queryFn: () => fetchJson<{ items: string[] }>('/api/traces/services').then((r) => r.items),
    retry: false,
    staleTime: 30_000,
  });
export const traceOperationsQuery = (service: string) =>
  queryOptions({
    queryKey: queryKeys.traces.operations(service),
    queryFn: () => fetchJson<{ items: string[] }>(`/api/traces/operations?service=${encodeURIComponent(service)}`).then((r) => r.items),
    enabled: Boolean(service),
    retry: false,
  });
export const traceSearchQuery = (params: URLSearchParams) =>
  queryOptions({
    queryKey: queryKeys.traces.search(params.toString()),
    queryFn: () => fetchJson<{ items: TraceSummary[]; jaegerUi: string | null; rule: string | null }>(`/api/traces?${params}`),
    enabled: params.has('service'),
    retry: false,
  });
export const traceQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.traces.trace(id),
    queryFn: () => fetchJson<{ summary: TraceSummary; rows: WaterfallRow[]; jaegerUrl: string | null }>(`/api/traces/${encodeURIComponent(id)}`),
    enabled: Boolean(id),
    retry: false,
  });

/** The Traces page searching one mesh service's traces, the selected namespace ("" for all) kept. */
export function traceSearchHref(selected: string, target: { namespace: string; service: string }, search: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    ...(selected ? { [NAMESPACE_PARAM]: selected } : {}),
    service: jaegerServiceName(target.namespace, target.service),
    ...search,
  });
  return `/traces?${query}`;
}
