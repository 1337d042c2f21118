import { describe, expect, it } from 'vitest';
import { DEFAULT_REFRESH_SECONDS, metricsPolling, parseRefresh, refreshParamValue } from './metrics-refresh';

describe('the metrics refresh in the URL', () => {
  it('reads off, the listed choices and falls back to the default for anything else', () => {
    expect([parseRefresh('off'), parseRefresh('0'), parseRefresh('5'), parseRefresh('30'), parseRefresh('60')]).toEqual([0, 0, 5, 30, 60]);
    for (const odd of [null, undefined, '', '7', 'abc', '-5', '1e1', '15']) expect(parseRefresh(odd)).toBe(DEFAULT_REFRESH_SECONDS);
  });

  it('writes the default as no parameter and round-trips every choice', () => {
    expect(refreshParamValue(10)).toBeUndefined();
    expect(refreshParamValue(0)).toBe('off');
    for (const seconds of [0, 5, 10, 30, 60]) expect(parseRefresh(refreshParamValue(seconds))).toBe(seconds);
  });

  it('polls at the chosen seconds, not at all when off, and tells the stream the refresh', () => {
    const kpis = { queryKey: ['kpis', 'page', '', '1h', '', ''] };
    expect(metricsPolling(30).refetchInterval(kpis)).toBe(30_000);
    expect(metricsPolling(0).refetchInterval(kpis)).toBe(false);
    expect(metricsPolling(30).meta).toEqual({ refreshSeconds: 30 });
    // No stream is open in a unit test: a topic's query polls too.
    expect(metricsPolling(5).refetchInterval({ queryKey: ['traffic', 'live', 'shop'] })).toBe(5000);
  });
});
