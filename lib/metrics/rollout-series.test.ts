import { beforeEach, describe, expect, it, vi } from 'vitest';
import { OutsideSystemError } from '@/lib/http/client';
import type { RolloutPlan, RolloutState } from '@/lib/mesh/rollout';
import type { Series } from './prometheus';
import type { RolloutTargets } from './rollout';
import { resolutionFor, rolloutSeries, stepRange } from './rollout-series';

// Prometheus stand-in: each part of a combined query (its kpi label names it) answers per version.
const prometheus = vi.hoisted(() => ({ down: false, queries: [] as { expr: string; start: number; end: number; step: number }[] }));
vi.mock('./prometheus', () => ({
  rangeQuery: vi.fn(async (expr: string, start: number, end: number, step: number): Promise<Series[]> => {
    if (prometheus.down) throw new OutsideSystemError('Prometheus', 'unreachable', 503, 'Prometheus at http://127.0.0.1:1 is unreachable (ECONNREFUSED)');
    prometheus.queries.push({ expr, start, end, step });
    const times = Array.from({ length: Math.floor((end - start) / step) + 1 }, (_, i) => start + i * step);
    const series = (metric: Record<string, string>, value: number): Series => ({ metric, values: times.map((t) => [t, value]) });
    const kinds = [...expr.matchAll(/"kpi", "([^"]+)"/g)].map((m) => m[1]!);
    if (kinds.length === 0) return [series({}, 7)]; // a custom gate's own PromQL: one sample
    const perVersion: Record<string, [candidate: number, stable: number]> = { requests: [10, 90], errors: [1, 0.9], p99: [300, 200], count: [40, 360] };
    return kinds.flatMap((kpi) => {
      const [candidate, stable] = perVersion[kpi.split('/')[2]!]!;
      return [series({ kpi, destination_version: 'v2' }, candidate), series({ kpi, destination_version: 'v1' }, stable)];
    });
  }),
}));

beforeEach(() => {
  prometheus.down = false;
  prometheus.queries = [];
});

const targets: RolloutTargets = {
  stable: { namespace: 'shop', service: 'checkout', version: 'v1' },
  candidate: { namespace: 'shop', service: 'checkout', version: 'v2' },
};
const START = Date.parse('2026-11-26T13:00:00Z');
const at = (seconds: number) => new Date(START + seconds * 1000).toISOString();

// Five-minute steps, a one-minute window; the gates of every kind.
const [stable, candidate] = [
  { host: 'checkout', subset: 'stable' },
  { host: 'checkout', subset: 'canary' },
];
const gates = {
  minRequests: 50,
  maxErrorRate: 0.05,
  maxP99Ratio: 2,
  custom: [{ name: 'orders', query: 'sum(rate(orders_total{version="$candidate"}[$window]))', min: 5 }],
};
const plan: RolloutPlan = { route: 0, stable, candidate, steps: [10, 50], stepSeconds: 300, intervalSeconds: 60, windowSeconds: 60, gates, maxFailedChecks: 2 };

/** A rollout at its second step, the first having passed after 5 minutes. */
const state = (changes: Partial<RolloutState> = {}): RolloutState => ({
  version: 1,
  plan,
  phase: 'Progressing',
  step: 1,
  startedAt: at(0),
  startedBy: 'operator@meshdeck.local',
  reason: 'ship v2',
  stepStartedAt: at(300),
  failedChecks: 0,
  expectedWeights: [50, 50],
  destinations: [plan.stable, plan.candidate],
  history: [
    { index: 0, weight: 10, startedAt: at(0), endedAt: at(300), outcome: 'passed', checks: [], checkCount: 5, failedCount: 0 },
    { index: 1, weight: 50, startedAt: at(300), checks: [], checkCount: 1, failedCount: 0 },
  ],
  events: [],
  ...changes,
});

describe('a step’s time range', () => {
  it('runs from the step’s start to its end, or to now while it runs; undefined before it began', () => {
    expect(stepRange(state(), 0, START + 900_000)).toEqual({ from: START / 1000, to: START / 1000 + 300 });
    expect(stepRange(state(), 1, START + 420_000)).toEqual({ from: START / 1000 + 300, to: START / 1000 + 420 });
    expect(stepRange(state({ phase: 'Aborted', endedAt: at(360) }), 1, START + 900_000)).toEqual({ from: START / 1000 + 300, to: START / 1000 + 360 });
    expect(stepRange(state(), 2, START + 420_000)).toBeUndefined();
  });

  it('asks for about 120 points, never finer than a second', () => {
    expect([resolutionFor(10), resolutionFor(300), resolutionFor(3600)]).toEqual([1, 3, 30]);
  });
});

describe('a step’s gate charts', () => {
  it('asks one range query per gate kind for both versions, and one per custom gate', async () => {
    await rolloutSeries(state(), 0, targets, START + 900_000);
    expect(prometheus.queries).toHaveLength(4);
    const [traffic, p99, count, custom] = prometheus.queries;
    for (const query of [traffic!, p99!, count!]) expect(query.expr).toContain('sum by (destination_version');
    expect(traffic!.expr).toContain('destination_version=~"v2|v1"');
    expect(traffic).toMatchObject({ start: START / 1000, end: START / 1000 + 300, step: 3 });
    // Requests are counted in buckets of the plan's window from the step's start.
    expect(count).toMatchObject({ start: START / 1000 + 60, end: START / 1000 + 300, step: 60 });
    expect(count!.expr).toContain('[60s]');
    expect(custom!.expr).toBe('sum(rate(orders_total{version="v2"}[60s]))');
  });

  it('charts what the checks compare with the thresholds, with the stable beside absolute gates', async () => {
    const series = await rolloutSeries(state(), 0, targets, START + 900_000);
    expect(series).toMatchObject({ step: 0, from: at(0), to: at(300) });
    const byGate = Object.fromEntries(series.gates.map((g) => [g.gate, g]));
    expect(Object.keys(byGate)).toEqual(['minRequests', 'errorRate', 'p99Ratio', 'custom:orders']);
    expect(byGate.errorRate).toMatchObject({ label: 'Error rate', unit: 'ratio', threshold: 0.05, bound: 'max' });
    expect(byGate.errorRate!.candidate[0]).toEqual([START / 1000, 0.1]);
    expect(byGate.errorRate!.stable![0]).toEqual([START / 1000, 0.01]);
    expect(byGate.errorRate!.candidate).toHaveLength(101);
    // A relative gate's value is already against the stable: its multiple, no stable line.
    expect(byGate.p99Ratio!.candidate[0]).toEqual([START / 1000, 1.5]);
    expect(byGate.p99Ratio!.stable).toBeUndefined();
    // Requests since the step began: each bucket's count added up.
    expect(byGate.minRequests!.candidate).toEqual([1, 2, 3, 4, 5].map((i) => [START / 1000 + 60 * i, 40 * i]));
    expect(byGate['custom:orders']).toMatchObject({ label: 'orders', unit: 'value', threshold: 5, bound: 'min' });
    expect(byGate['custom:orders']!.candidate[0]).toEqual([START / 1000, 7]);
  });

  it('answers 503 with what to do when Prometheus is down, and 404 for a step that has not begun', async () => {
    prometheus.down = true;
    const down = rolloutSeries(state(), 1, targets, START + 420_000);
    await expect(down).rejects.toMatchObject({ status: 503 });
    await expect(down).rejects.toThrow(/The gate charts need Prometheus: Prometheus at .* is unreachable/);
    prometheus.down = false;
    await expect(rolloutSeries(state(), 2, targets, START + 420_000)).rejects.toMatchObject({ status: 404 });
  });
});
