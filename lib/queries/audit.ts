import { queryOptions } from '@tanstack/react-query';
import type { AuditEntry } from '@/lib/audit/audit';
import { fetchJson } from './fetch-json';

export interface AuditFilters {
  namespace: string;
  user: string;
  action: string;
  q: string;
}

export const auditQuery = (filters: AuditFilters) =>
  queryOptions({
    queryKey: ['audit', filters],
    queryFn: () => fetchJson<{ items: AuditEntry[] }>(`/api/audit?${new URLSearchParams(Object.entries(filters).filter(([, v]) => v))}`).then((r) => r.items),
    refetchInterval: 5000,
  });

export function revertEntry(entry: AuditEntry, reason: string) {
  return fetchJson<{ item: unknown }>(`/api/audit/${encodeURIComponent(entry.resource.namespace)}/${entry.id}/revert`, { method: 'POST', body: JSON.stringify({ reason }) });
}
