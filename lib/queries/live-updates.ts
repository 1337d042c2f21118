// Pushed updates in the browser: one EventSource per tab on /api/events, its topics those of the
// queries the page shows right now, each payload written straight into the query cache. While
// the stream is up, the Kubernetes-backed queries do not poll; while it is down, they do.
import type { QueryCache, QueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { topicOfKey } from '@/lib/live/topics';

/** `live`: the stream is open. `connecting`: opening. `paused`: it dropped and is being reopened. `idle`: no page needs it. */
export type LiveStatus = 'idle' | 'connecting' | 'live' | 'paused';

/** Without the stream, the pushed views fall back to polling this often. */
export const FALLBACK_POLL_MS = 5000;
// The set of topics settles for this long before the connection is reopened for it (page changes mount and unmount in bursts).
const TOPICS_SETTLE_MS = 250;
// A tab in the background gives its connection back after this long (browsers allow few per server over HTTP/1.1).
const HIDDEN_CLOSE_MS = 30_000;
const RECONNECT_MIN_MS = 2000;
const RECONNECT_MAX_MS = 60_000;

let status: LiveStatus = 'idle';
const statusListeners = new Set<() => void>();
function setStatus(next: LiveStatus) {
  if (next === status) return;
  status = next;
  for (const listener of statusListeners) listener();
}

/** Whether pushed updates are flowing, e.g. for an indicator: "live updates paused — reconnecting". */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    () => status,
    () => 'idle',
  );
}

/**
 * The polling of a query the stream keeps current: none while the stream is open (a pushed payload
 * replaces the entry), every FALLBACK_POLL_MS while it is not. Spread into its queryOptions.
 */
export const pushedQuery = {
  refetchInterval: () => (status === 'live' ? false : FALLBACK_POLL_MS),
  staleTime: () => (status === 'live' ? Infinity : 2000),
};

/** The stream topics of the queries some component observes now, sorted. */
export function observedTopics(cache: QueryCache): string[] {
  const topics = new Set<string>();
  for (const query of cache.getAll()) {
    if (query.getObserversCount() === 0) continue;
    const topic = topicOfKey(query.queryKey);
    if (topic) topics.add(topic);
  }
  return [...topics].sort();
}

interface Pushed {
  key: readonly unknown[];
  data?: unknown;
  status?: number;
  message?: string;
}

/**
 * Keeps one EventSource open for the topics the page observes, and writes what it brings into
 * the client's cache. Call once per tab, inside the QueryClient's provider.
 */
export function useLiveUpdates(client: QueryClient): void {
  useEffect(() => {
    const cache = client.getQueryCache();
    let source: EventSource | undefined;
    let openTopics: string[] = [];
    let settleTimer: ReturnType<typeof setTimeout> | undefined;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let hiddenTimer: ReturnType<typeof setTimeout> | undefined;
    let reconnectDelay = RECONNECT_MIN_MS;

    // Queries that stopped polling because the stream was up need their timers set again: a
    // refetch does that, and brings them up to date in the same step.
    const fallBackToPolling = (topics: string[]) => {
      const wanted = new Set(topics);
      void client.invalidateQueries({ predicate: (query) => wanted.has(topicOfKey(query.queryKey) ?? '') });
    };

    const close = () => {
      source?.close();
      source = undefined;
      openTopics = [];
      clearTimeout(reconnectTimer);
    };

    /** `planned`: the server asked for it; the status stays as it is, so nothing starts polling meanwhile. */
    const open = (topics: string[], planned = false) => {
      close();
      openTopics = topics;
      if (topics.length === 0) return setStatus('idle');
      if (!planned) setStatus(status === 'paused' ? 'paused' : 'connecting');
      const stream = new EventSource(`/api/events?${new URLSearchParams({ topics: topics.join(',') })}`);
      source = stream;
      stream.onopen = () => {
        reconnectDelay = RECONNECT_MIN_MS;
        setStatus('live');
      };
      stream.addEventListener('data', (event) => {
        const { key, data } = JSON.parse((event as MessageEvent<string>).data) as Pushed;
        client.setQueryData(key, data);
      });
      // The server ends each stream after a while, so the person's session is checked again: reopen at once.
      stream.addEventListener('reconnect', () => open(openTopics, true));
      // A topic the server could not read: the GET shows the page why (403, 503...).
      stream.addEventListener('failed', (event) => {
        const { key } = JSON.parse((event as MessageEvent<string>).data) as Pushed;
        void client.invalidateQueries({ queryKey: key, exact: true });
      });
      stream.onerror = () => {
        const wasLive = status === 'live';
        setStatus('paused');
        if (wasLive) fallBackToPolling(topics);
        // CONNECTING: the browser retries by itself. CLOSED: it gave up (an error answer); we retry, backing off.
        if (stream.readyState === EventSource.CLOSED) {
          reconnectTimer = setTimeout(() => open(openTopics), reconnectDelay);
          reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
        }
      };
    };

    const sync = () => {
      if (document.hidden) return;
      const topics = observedTopics(cache);
      if (topics.join(',') !== openTopics.join(',') || !source) open(topics);
    };
    const soon = () => {
      clearTimeout(settleTimer);
      settleTimer = setTimeout(sync, TOPICS_SETTLE_MS);
    };

    const unsubscribe = cache.subscribe((event) => {
      if (event.type === 'added' || event.type === 'removed' || event.type === 'observerAdded' || event.type === 'observerRemoved') soon();
    });
    const onVisibility = () => {
      clearTimeout(hiddenTimer);
      if (!document.hidden) return sync();
      hiddenTimer = setTimeout(() => {
        close();
        setStatus('idle');
      }, HIDDEN_CLOSE_MS);
    };
    document.addEventListener('visibilitychange', onVisibility);
    soon();
    return () => {
      unsubscribe();
      document.removeEventListener('visibilitychange', onVisibility);
      clearTimeout(settleTimer);
      clearTimeout(hiddenTimer);
      close();
      setStatus('idle');
    };
  }, [client]);
}
