// The tab's live-update status, and the polling of the queries the stream serves. No React here:
// the query modules spread pushedQuery into their options and may be imported anywhere; the
// stream itself is kept by useLiveUpdates (live-updates.ts).
import { topicOfKey } from '@/lib/live/topics';

/** `live`: the stream is open. `connecting`: opening. `paused`: it dropped and is being reopened. `idle`: no page needs it. */
export type LiveStatus = 'idle' | 'connecting' | 'live' | 'paused';

/** Without the stream, the pushed Kubernetes views fall back to polling this often. */
export const FALLBACK_POLL_MS = 5000;

let status: LiveStatus = 'idle';
// The topics of the stream that is open now; empty unless `live`.
let streamedTopics = new Set<string>();
const statusListeners = new Set<() => void>();

export const currentStatus = (): LiveStatus => status;
/** The topics of the open stream (empty unless `live`), e.g. to poll them again when it drops. */
export const servedTopics = (): ReadonlySet<string> => streamedTopics;

/** Calls the listener on every status change; returns the unsubscribe function. */
export function subscribeStatus(listener: () => void): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}
/** Sets the tab's stream status; `topics` are those the stream serves when `live`. */
export function setStatus(next: LiveStatus, topics: string[] = []) {
  streamedTopics = new Set(next === 'live' ? topics : []);
  if (next === status) return;
  status = next;
  for (const listener of statusListeners) listener();
}

/** Whether the open stream keeps this query's entry current, so it need not poll. */
export const isStreamed = (query: { queryKey: readonly unknown[] }): boolean => streamedTopics.has(topicOfKey(query.queryKey) ?? '');

/**
 * The polling of a Kubernetes view the stream pushes: none while the stream serves it (each payload
 * replaces the entry), every FALLBACK_POLL_MS while it does not. Spread into its queryOptions.
 */
export const pushedQuery = {
  refetchInterval: (query: { queryKey: readonly unknown[] }) => (isStreamed(query) ? false : FALLBACK_POLL_MS),
  staleTime: (query: { queryKey: readonly unknown[] }) => (isStreamed(query) ? Infinity : 2000),
};
