import { queryOptions } from '@tanstack/react-query';
import type { AuditView } from '@/lib/audit/audit';
import type { RetentionStatus } from '@/lib/audit/retention';
import type { SigningState } from '@/lib/audit/signing';
import type { AuditOutcome } from '@/lib/http/audited-write';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';
import { pushedQuery } from './live-status';

export interface AuditFilters {
  namespace: string;
  user: string;
  action: string;
  q: string;
}

/** The trail as /api/audit answers it: entries, whether they are signed, retention. */
export interface AuditTrail {
  items: AuditView[];
  signing: SigningState;
  retention: RetentionStatus;
  /** Entries this replica applied but has not stored yet. */
  pending: number;
}

export const auditQuery = (filters: AuditFilters) =>
  queryOptions({
    queryKey: queryKeys.audit.trail(filters),
    queryFn: () => fetchJson<AuditTrail>(`/api/audit?${new URLSearchParams(Object.entries(filters).filter(([, v]) => v))}`),
    // The whole trail of a namespace (the page filters it in its table) is pushed by /api/events.
    ...pushedQuery,
  });

/** Where an entry's revert goes (POST; `?dryRun=true` previews it). */
export const revertUrl = (entry: AuditView) => `/api/audit/${encodeURIComponent(entry.resource.namespace)}/${encodeURIComponent(entry.id)}/revert`;

/** What a revert answers: the object written and how its own audit entry went. */
export type RevertAnswer = { item: unknown; audit: AuditOutcome };
