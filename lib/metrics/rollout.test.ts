import { describe, expect, it } from 'vitest';
import type { RolloutPlan } from '@/lib/mesh/rollout';
import type { Sample } from './prometheus';
import { split } from './promql';
import {
  customGateQuery,
  errorsOf,
  measurementsOf,
  p99Query,
  requestCountQuery,
  trafficQuery,
  type Answers,
  type GateRequest,
  type RolloutTargets,
} from './rollout';

const plan = (gates: RolloutPlan['gates'], windowSeconds = 120): RolloutPlan => ({
  route: 0,
  stable: { host: 'checkout', subset: 'stable' },
  candidate: { host: 'checkout', subset: 'canary' },
  steps: [5, 50],
  stepSeconds: 300,
  intervalSeconds: 60,
  windowSeconds,
  gates,
  maxFailedChecks: 2,
});
const subsets: RolloutTargets = {
  stable: { namespace: 'shop', service: 'checkout', version: 'v1' },
  candidate: { namespace: 'shop', service: 'checkout', version: 'v2' },
};
const NOW = Date.parse('2026-11-26T13:00:00Z');
const request = (gates: RolloutPlan['gates'], targets = subsets, stepStartedAt = '2026-11-26T12:58:29.500Z'): GateRequest => ({
  plan: plan(gates),
  targets,
  stepStartedAt,
});
const ALL = { minRequests: 50, maxErrorRate: 0.05, maxErrorRateIncrease: 0.01, maxP99Ms: 500, maxP99Ratio: 1.5 };

const SELECTOR = '{reporter="destination",destination_service_namespace="shop",destination_service_name="checkout",destination_version=~"v2|v1"}';

/** A Prometheus answer to a combined query: samples tagged with their part, as label_replace tags them. */
const answer = (samples: [part: string, version: string | undefined, value: number][]) => ({
  parts: split(samples.map(([kpi, version, value]): Sample => ({ metric: { kpi, ...(version ? { destination_version: version } : {}) }, value }))),
});

describe('the gate queries', () => {
  it('asks for requests and 5xx of both destinations in one query, grouped by version, over the plan window', () => {
    expect(trafficQuery([request(ALL)])).toBe(
      `label_replace(sum by (destination_version) (rate(istio_requests_total${SELECTOR}[120s])), "kpi", "0/0/requests", "", "") or ` +
        `label_replace(sum by (destination_version) (rate(istio_requests_total${SELECTOR.slice(0, -1)},response_code=~"5.."}[120s])), "kpi", "0/0/errors", "", "")`,
    );
  });

  it('asks for the P99 from the duration histogram, reported by the destination', () => {
    expect(p99Query([request(ALL)])).toBe(
      `label_replace(histogram_quantile(0.99, sum by (destination_version, le) (rate(istio_request_duration_milliseconds_bucket${SELECTOR}[120s]))), "kpi", "0/0/p99", "", "")`,
    );
  });

  it('counts requests since the step began, rounded up to whole seconds', () => {
    expect(requestCountQuery([request(ALL)], NOW)).toBe(
      `label_replace(sum by (destination_version) (increase(istio_requests_total${SELECTOR}[91s])), "kpi", "0/0/count", "", "")`,
    );
  });

  it('batches several rollouts into one query per gate kind, and skips a kind no plan gates on', () => {
    const other: RolloutTargets = {
      stable: { namespace: 'web', service: 'front', version: 'blue' },
      candidate: { namespace: 'web', service: 'front', version: 'green' },
    };
    const query = trafficQuery([request({ maxErrorRate: 0.05 }), request({ maxErrorRate: 0.01 }, other)])!;
    expect(query.match(/label_replace/g)).toHaveLength(4);
    expect(query).toContain('"1/0/requests"');
    expect(query).toContain('destination_service_name="front",destination_version=~"green|blue"');
    expect(p99Query([request({ maxErrorRate: 0.05 })])).toBeUndefined();
  });

  it('reads a destination without subset as its whole service, and two services apart', () => {
    const targets: RolloutTargets = { stable: { namespace: 'shop', service: 'checkout' }, candidate: { namespace: 'shop', service: 'checkout-next' } };
    const query = trafficQuery([request({ maxErrorRate: 0.05 }, targets)])!;
    expect(query).toContain(
      'label_replace(sum by () (rate(istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="checkout-next"}[120s])), "kpi", "0/0/requests"',
    );
    expect(query).toContain('destination_service_name="checkout"}[120s])), "kpi", "0/1/requests"');
  });

  it('matches a version with regex characters as itself only', () => {
    const targets: RolloutTargets = { stable: { ...subsets.stable, version: '1.2.0' }, candidate: { ...subsets.candidate, version: '1.3.0' } };
    expect(trafficQuery([request({ maxErrorRate: 0.05 }, targets)])).toContain('destination_version=~"1\\\\.3\\\\.0|1\\\\.2\\\\.0"');
  });

  it('replaces the placeholders of a custom gate', () => {
    const gate = { query: 'sum(rate(orders_failed_total{namespace="$namespace",service="$service",version="$candidate"}[$window])) / on() $stable_rate' };
    expect(customGateQuery(gate, { windowSeconds: 60 }, subsets)).toBe(
      'sum(rate(orders_failed_total{namespace="shop",service="checkout",version="v2"}[60s])) / on() $stable_rate',
    );
    expect(customGateQuery({ query: '$stable/$candidate' }, { windowSeconds: 60 }, { ...subsets, stable: { namespace: 'shop', service: 'checkout' } })).toBe(
      'checkout/v2',
    );
  });
});

describe('the measurements from the answers', () => {
  const answers = (partial: Partial<Answers>): Answers => ({ custom: [], ...partial });

  it('judges every gate against its threshold', () => {
    const measured = measurementsOf(
      request(ALL),
      0,
      answers({
        traffic: answer([
          ['0/0/requests', 'v2', 10],
          ['0/0/errors', 'v2', 0.3],
          ['0/0/requests', 'v1', 90],
          ['0/0/errors', 'v1', 0.9],
        ]),
        p99: answer([
          ['0/0/p99', 'v2', 240],
          ['0/0/p99', 'v1', 120],
        ]),
        count: answer([
          ['0/0/count', 'v2', 912.4],
          ['0/0/count', 'v1', 8000],
        ]),
      }),
    );
    expect(measured).toEqual([
      { gate: 'minRequests', value: 912.4, threshold: 50, bound: 'min', verdict: 'pass' },
      { gate: 'errorRate', value: 0.03, threshold: 0.05, bound: 'max', verdict: 'pass' },
      { gate: 'errorRateIncrease', value: 0.02, stable: 0.01, threshold: 0.01, bound: 'max', verdict: 'fail' },
      { gate: 'p99', value: 240, threshold: 500, bound: 'max', verdict: 'pass' },
      { gate: 'p99Ratio', value: 2, stable: 120, threshold: 1.5, bound: 'max', verdict: 'fail' },
    ]);
  });

  it('holds without data, and with too few requests (never fails for them)', () => {
    const measured = measurementsOf(
      request(ALL),
      0,
      answers({ traffic: answer([['0/0/requests', 'v1', 90]]), p99: answer([]), count: answer([['0/0/count', 'v2', 12]]) }),
    );
    expect(measured.map((m) => [m.gate, m.value, m.verdict])).toEqual([
      ['minRequests', 12, 'hold'],
      ['errorRate', null, 'hold'],
      ['errorRateIncrease', null, 'hold'],
      ['p99', null, 'hold'],
      ['p99Ratio', null, 'hold'],
    ]);
  });

  it('counts a candidate without 5xx series as 0 errors, and holds a relative gate without the stable', () => {
    const measured = measurementsOf(request({ maxErrorRate: 0.05, maxErrorRateIncrease: 0.01 }), 0, answers({ traffic: answer([['0/0/requests', 'v2', 10]]) }));
    expect(measured).toEqual([
      { gate: 'errorRate', value: 0, threshold: 0.05, bound: 'max', verdict: 'pass' },
      { gate: 'errorRateIncrease', value: null, stable: null, threshold: 0.01, bound: 'max', verdict: 'hold' },
    ]);
  });

  it('reads a whole service and a second service from their own parts', () => {
    const targets: RolloutTargets = { stable: { namespace: 'shop', service: 'checkout' }, candidate: { namespace: 'shop', service: 'checkout-next' } };
    const measured = measurementsOf(
      request({ maxErrorRateIncrease: 0.01 }, targets),
      0,
      answers({
        traffic: answer([
          ['0/0/requests', undefined, 4],
          ['0/0/errors', undefined, 0.2],
          ['0/1/requests', undefined, 10],
        ]),
      }),
    );
    expect(measured).toEqual([{ gate: 'errorRateIncrease', value: 0.05, stable: 0, threshold: 0.01, bound: 'max', verdict: 'fail' }]);
  });

  it('judges a custom gate on each bound it has, by its worst sample', () => {
    const gates = { custom: [{ name: 'conversion', query: 'x', min: 0.2, max: 0.9 }] };
    const custom = [
      [
        {
          parts: {
            '': [
              { metric: {}, value: 0.95 },
              { metric: {}, value: 0.5 },
            ],
          },
        },
      ],
    ];
    expect(measurementsOf(request(gates), 0, answers({ custom }))).toEqual([
      { gate: 'custom:conversion', value: 0.95, threshold: 0.9, bound: 'max', verdict: 'fail' },
      { gate: 'custom:conversion', value: 0.5, threshold: 0.2, bound: 'min', verdict: 'pass' },
    ]);
  });

  it('holds the gates whose query failed and says why', () => {
    const down = { error: 'Prometheus is unreachable (ECONNREFUSED)' };
    const req = request({ maxErrorRate: 0.05, custom: [{ name: 'orders', query: 'x', max: 1 }] });
    const all = answers({ traffic: down, custom: [[down]] });
    expect(measurementsOf(req, 0, all).map((m) => m.verdict)).toEqual(['hold', 'hold']);
    expect(errorsOf(req, 0, all)).toBe('Prometheus could not measure the error rate and the custom gate orders: Prometheus is unreachable (ECONNREFUSED)');
    const parse = { error: 'bad_data: 1:5: parse error' };
    expect(errorsOf(req, 0, answers({ traffic: down, custom: [[parse]] }))).toBe(
      'Prometheus could not measure the error rate: Prometheus is unreachable (ECONNREFUSED); the custom gate orders: bad_data: 1:5: parse error',
    );
    expect(errorsOf(request({ maxErrorRate: 0.05 }), 0, answers({ traffic: answer([]), p99: down }))).toBeUndefined();
  });
});
