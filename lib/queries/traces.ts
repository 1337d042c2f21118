import { queryOptions } from '@tanstack/react-query';
import type { TraceSummary, WaterfallRow } from '@/lib/traces/trace';
import { fetchJson } from './fetch-json';

export const traceServicesQuery = () => queryOptions({ queryKey: ['traces', 'services'], queryFn: () => fetchJson<{ items: string[] }>('/api/traces/services').then((r) => r.items), retry: false, staleTime: 30_000 });
export const traceOperationsQuery = (service: string) =>
  queryOptions({ queryKey: ['traces', 'operations', service], queryFn: () => fetchJson<{ items: string[] }>(`/api/traces/operations?service=${encodeURIComponent(service)}`).then((r) => r.items), enabled: Boolean(service), retry: false });
export const traceSearchQuery = (params: URLSearchParams) =>
  queryOptions({ queryKey: ['traces', 'search', params.toString()], queryFn: () => fetchJson<{ items: TraceSummary[]; jaegerUi: string | null }>(`/api/traces?${params}`), enabled: params.has('service'), retry: false });
export const traceQuery = (id: string) =>
  queryOptions({ queryKey: ['traces', 'trace', id], queryFn: () => fetchJson<{ summary: TraceSummary; rows: WaterfallRow[]; jaegerUrl: string | null }>(`/api/traces/${encodeURIComponent(id)}`), enabled: Boolean(id), retry: false });
