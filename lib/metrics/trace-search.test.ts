import { describe, expect, it } from 'vitest';
import { jaegerServiceName, meshServiceOf, planTraceSearch, servicesIn } from './trace-search';

describe('Jaeger service names', () => {
  it('are <service>.<namespace>, as Istio reports them', () => {
    expect(jaegerServiceName('bookinfo', 'reviews')).toBe('reviews.bookinfo');
    expect(meshServiceOf('reviews.bookinfo')).toEqual({ namespace: 'bookinfo', service: 'reviews' });
    expect(meshServiceOf('jaeger-query')).toBeUndefined();
    expect(servicesIn(['reviews.bookinfo', 'cart.shop', 'jaeger-query'], 'shop')).toEqual(['cart.shop']);
    expect(servicesIn(['reviews.bookinfo', 'jaeger-query'], '')).toEqual(['reviews.bookinfo', 'jaeger-query']);
  });
});

describe('the default trace search', () => {
  const end = 1_700_000_000;

  it("cuts a busy service's hour into slices that span it, newest first", () => {
    const plan = planTraceSearch(25, 50, end);
    expect(plan.slices).toHaveLength(10);
    expect(plan.slices.every((s) => s.limit === 5)).toBe(true);
    // The newest slice lasts as long as 5 requests take at 25 req/s; the oldest starts an hour ago.
    expect(plan.slices[0]).toMatchObject({ end: end * 1e6, start: end * 1e6 - 200_000 });
    expect(plan.slices.at(-1)!.start).toBe((end - 3600) * 1e6);
    for (let i = 1; i < plan.slices.length; i++) expect(plan.slices[i]!.end).toBe(plan.slices[i - 1]!.start);
    // Each slice reaches back 18000^(1/9) ≈ 2.97 times further than the one after it.
    const back = plan.slices.map((s) => end * 1e6 - s.start);
    for (let i = 1; i < back.length; i++) expect(back[i]! / back[i - 1]!).toBeCloseTo(18000 ** (1 / 9), 3);
    expect(plan.rule).toBe(
      '10 searches of 5 traces: at 25 req/s the latest 50 would cover 2 s, so the last 60 min is cut into 10 slices reaching back 0.2 s (5 requests), 0.59 s, … 3.0× further each, to 60 min.',
    );
  });

  it('searches the whole window at once when it holds no more requests than the limit, or the rate is unknown', () => {
    // A rate of hundreds reads as a number, not as 1.1e+2.
    expect(planTraceSearch(110, 50, end).rule).toContain('at 110 req/s');
    expect(planTraceSearch(0.01, 50, end)).toEqual({
      slices: [{ start: (end - 3600) * 1e6, end: end * 1e6, limit: 50 }],
      rule: 'The latest 50 traces of the last 60 min: at 0.01 req/s the window holds about 36 requests, no more than the limit.',
    });
    expect(planTraceSearch(null, 20, end).slices).toEqual([{ start: (end - 3600) * 1e6, end: end * 1e6, limit: 20 }]);
    expect(planTraceSearch(null, 20, end).rule).toContain('request rate is unknown');
  });

  it('for a quiet service just over the limit, still spans the window', () => {
    const plan = planTraceSearch(0.02, 50, end);
    expect(plan.slices[0]!.end - plan.slices[0]!.start).toBe(250 * 1e6);
    expect(plan.slices.at(-1)!.start).toBe((end - 3600) * 1e6);
    expect(plan.slices.every((s) => s.end > s.start)).toBe(true);
  });
});
