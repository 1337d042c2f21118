// Pushed updates in the browser: one EventSource per tab on /api/events, its topics those of the
// queries the page shows right now, each payload written straight into the query cache. A query
// the open stream serves does not poll; any other (or all, while the stream is down) does
// (pushedQuery, in live-status.ts).
import type { QueryCache, QueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { topicOfKey } from '@/lib/live/topics';
import { currentStatus, servedTopics, setStatus, subscribeStatus, type LiveStatus } from './live-status';

// Changes to the set of topics are gathered for this long before the connection is reopened for them (a page change mounts and unmounts in bursts).
const TOPICS_SETTLE_MS = 250;
// A tab in the background gives its connection back after this long (browsers allow few per server over HTTP/1.1).
const HIDDEN_CLOSE_MS = 30_000;
const RECONNECT_MIN_MS = 2000;
const RECONNECT_MAX_MS = 60_000;

/** Whether pushed updates are flowing, e.g. for an indicator: "live updates paused — reconnecting". */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribeStatus, currentStatus, () => 'idle');
}

/** What the stream should carry for the queries some component observes now. */
export interface StreamWanted {
  /** Sorted topic names. */
  topics: string[];
  /** The refresh of the observed Prometheus queries (their `meta.refreshSeconds`), if any. */
  refreshSeconds?: number;
}

export function wantedStream(cache: QueryCache): StreamWanted {
  const topics = new Set<string>();
  let refreshSeconds: number | undefined;
  for (const query of cache.getAll()) {
    if (query.getObserversCount() === 0) continue;
    const topic = topicOfKey(query.queryKey);
    if (!topic) continue;
    topics.add(topic);
    const refresh = query.meta?.refreshSeconds;
    if (typeof refresh === 'number') refreshSeconds = Math.min(refreshSeconds ?? refresh, refresh);
  }
  return { topics: [...topics].sort(), refreshSeconds };
}

/** /api/events for what is wanted, e.g. `/api/events?topics=emergencies%2Ctraffic%3Ashop&refresh=10`. */
export function streamUrl(wanted: StreamWanted): string {
  const params = new URLSearchParams({ topics: wanted.topics.join(',') });
  if (wanted.refreshSeconds !== undefined) params.set('refresh', String(wanted.refreshSeconds));
  return `/api/events?${params}`;
}

interface Pushed {
  key: readonly unknown[];
  data?: unknown;
}

/**
 * Keeps one EventSource open for the topics the page observes, and writes what it brings into
 * the client's cache. Call once per tab, inside the QueryClient's provider.
 */
export function useLiveUpdates(client: QueryClient): void {
  useEffect(() => {
    const cache = client.getQueryCache();
    let source: EventSource | undefined;
    let openUrl = '';
    let settleTimer: ReturnType<typeof setTimeout> | undefined;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let hiddenTimer: ReturnType<typeof setTimeout> | undefined;
    let reconnectDelay = RECONNECT_MIN_MS;

    // Queries that stopped polling because the stream served them need their timers set again:
    // a refetch does that, and brings them up to date in the same step.
    const fallBackToPolling = (topics: ReadonlySet<string>) => {
      void client.invalidateQueries({ predicate: (query) => topics.has(topicOfKey(query.queryKey) ?? '') });
    };

    const close = () => {
      source?.close();
      source = undefined;
      openUrl = '';
      clearTimeout(reconnectTimer);
    };

    const open = (wanted: StreamWanted) => {
      close();
      if (wanted.topics.length === 0) return setStatus('idle');
      // The status stays `live` while a stream is swapped for one with other topics: nothing starts polling meanwhile.
      if (currentStatus() === 'idle') setStatus('connecting');
      const url = streamUrl(wanted);
      const stream = new EventSource(url);
      source = stream;
      openUrl = url;
      stream.onopen = () => {
        reconnectDelay = RECONNECT_MIN_MS;
        setStatus('live', wanted.topics);
      };
      stream.addEventListener('data', (event) => {
        const { key, data } = JSON.parse((event as MessageEvent<string>).data) as Pushed;
        client.setQueryData(key, data);
      });
      // A topic the server could not read: its GET shows the page why (403, 503...).
      stream.addEventListener('failed', (event) => {
        const { key } = JSON.parse((event as MessageEvent<string>).data) as Pushed;
        void client.invalidateQueries({ queryKey: key, exact: true });
      });
      // The server ends each stream after a while, so the person's session is checked again: reopen at once.
      stream.addEventListener('reconnect', () => open(wanted));
      stream.onerror = () => {
        if (currentStatus() !== 'paused') {
          const served = servedTopics();
          setStatus('paused');
          fallBackToPolling(served);
        }
        // CONNECTING: the browser retries by itself. CLOSED: it gave up (an error answer); we retry, backing off.
        if (stream.readyState === EventSource.CLOSED) {
          reconnectTimer = setTimeout(() => open(wanted), reconnectDelay);
          reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
        }
      };
    };

    const sync = () => {
      if (document.hidden) return;
      const wanted = wantedStream(cache);
      if (!source || streamUrl(wanted) !== openUrl) open(wanted);
    };
    // Coalesced, not debounced: a page that re-renders all the time must not hold the stream back.
    const soon = () => {
      settleTimer ??= setTimeout(() => {
        settleTimer = undefined;
        sync();
      }, TOPICS_SETTLE_MS);
    };

    const unsubscribe = cache.subscribe((event) => {
      // observerOptionsUpdated: e.g. the metrics refresh changed.
      if (['added', 'removed', 'observerAdded', 'observerRemoved', 'observerOptionsUpdated'].includes(event.type)) soon();
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
