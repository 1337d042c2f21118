import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import { queryKeys } from './keys';
import { FALLBACK_POLL_MS, pushedQuery } from './live-status';
import { streamUrl, wantedStream } from './live-updates';
import { metricsPolling } from './metrics-refresh';

const client = new QueryClient();
const stops: (() => void)[] = [];
afterEach(() => {
  stops.splice(0).forEach((stop) => stop());
  client.clear();
});

/** A component showing the query: an observer with a listener. */
function observe(queryKey: readonly unknown[], options: object = {}) {
  const observer = new QueryObserver(client, { queryKey, queryFn: () => new Promise(() => {}), ...options });
  stops.push(observer.subscribe(() => {}));
}

describe('the stream a tab wants', () => {
  it('carries the topics of the observed queries only, sorted, and the refresh of the Prometheus ones', () => {
    observe(queryKeys.traffic.list('shop'));
    observe(queryKeys.traffic.live('shop'), metricsPolling(30));
    observe(queryKeys.security.emergencies());
    observe(queryKeys.kpis.page({ namespace: 'shop', range: '1h' }), metricsPolling(5)); // not streamed: its refresh does not count
    client.setQueryData(queryKeys.resilience.list('shop'), {}); // cached, shown by no one
    const wanted = wantedStream(client.getQueryCache());
    expect(wanted).toEqual({ topics: ['emergencies', 'traffic-live:shop', 'traffic:shop'], refreshSeconds: 30 });
    expect(streamUrl(wanted)).toBe('/api/events?topics=emergencies%2Ctraffic-live%3Ashop%2Ctraffic%3Ashop&refresh=30');
  });

  it('has no refresh without Prometheus topics, and nothing when nothing is shown', () => {
    expect(wantedStream(client.getQueryCache())).toEqual({ topics: [], refreshSeconds: undefined });
    observe(queryKeys.shell.namespaces());
    expect(streamUrl(wantedStream(client.getQueryCache()))).toBe('/api/events?topics=namespaces');
  });

  it('polls the pushed views while no stream serves them', () => {
    const traffic = { queryKey: queryKeys.traffic.list('shop') };
    expect(pushedQuery.refetchInterval(traffic)).toBe(FALLBACK_POLL_MS);
    expect(pushedQuery.staleTime(traffic)).toBe(2000);
  });
});
