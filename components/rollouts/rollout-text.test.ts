import { describe, expect, it } from 'vitest';
import type { GateMeasurement, RolloutCheck, RolloutEvent, RolloutStepRecord } from '@/lib/mesh/rollout';
import { checkCountsText, checkText, decidingMeasurement, durationText, measurementText, stepsWithEvents, stepTitle } from './rollout-text';

const errorRate = (value: number | null, verdict: GateMeasurement['verdict']): GateMeasurement => ({
  gate: 'errorRate',
  value,
  stable: 0.004,
  threshold: 0.05,
  bound: 'max',
  verdict,
});
const requests = (value: number, verdict: GateMeasurement['verdict']): GateMeasurement => ({
  gate: 'minRequests',
  value,
  threshold: 50,
  bound: 'min',
  verdict,
});
const check = (at: string, verdict: RolloutCheck['verdict'], measurements: GateMeasurement[]): RolloutCheck => ({ at, verdict, measurements });
const record = (index: number, startedAt: string, checks: RolloutCheck[], extra: Partial<RolloutStepRecord> = {}): RolloutStepRecord => ({
  index,
  weight: [5, 10, 100][index] ?? 100,
  startedAt,
  checks,
  checkCount: checks.length,
  failedCount: checks.filter((c) => c.verdict === 'fail').length,
  ...extra,
});

describe('rollout text', () => {
  it('names steps as people count them, and the final promotion', () => {
    expect(stepTitle({ steps: [5, 10, 25] }, 1)).toBe('Step 2 of 3 · 10 %');
    expect(stepTitle({ steps: [5, 10, 25] }, 3)).toBe('Promotion · 100 %');
  });

  it('writes durations in the plan form', () => {
    expect(durationText(300)).toBe('5m');
    expect(durationText(90)).toBe('1m30s');
    expect(durationText(2)).toBe('2s');
  });

  it('says a measurement with its threshold, the stable and its verdict', () => {
    expect(measurementText(errorRate(0.213, 'fail'))).toBe('error rate 21.3 % > 5 % (stable 0.4 %): fail');
    expect(measurementText(errorRate(null, 'hold'))).toBe('error rate: no data (stable 0.4 %): hold');
    // A relative gate carries the stable's own P99 or error rate: it reads in that unit, not as a multiple.
    expect(measurementText({ gate: 'p99Ratio', value: 1.1, stable: 235.4, threshold: 5, bound: 'max', verdict: 'pass' })).toBe(
      'P99 × stable 1.1× ≤ 5× (stable 235.4 ms): pass',
    );
    expect(measurementText({ gate: 'errorRateIncrease', value: 0.02, stable: 0.004, threshold: 0.01, bound: 'max', verdict: 'fail' })).toBe(
      'error rate over stable 2 points > 1 point (stable 0.4 %): fail',
    );
  });

  it('names the gates that decided a check: the failing ones, all of them when it passed, and its error', () => {
    const failed = check('2026-11-26T12:00:00Z', 'fail', [requests(120, 'pass'), errorRate(0.2, 'fail')]);
    expect(checkText(failed)).toBe('fail: error rate 20 % > 5 %');
    expect(checkText(check('2026-11-26T12:00:00Z', 'pass', [requests(120, 'pass'), errorRate(0.01, 'pass')]))).toBe(
      'pass: requests 120 ≥ 50; error rate 1 % ≤ 5 %',
    );
    expect(checkText({ at: '2026-11-26T12:00:00Z', verdict: 'hold', measurements: [], error: 'Prometheus did not answer' })).toBe(
      'hold: Prometheus did not answer',
    );
  });

  it('counts a step checks by verdict, passed and held together once older checks were dropped', () => {
    const checks = [
      check('2026-11-26T12:00:00Z', 'hold', [requests(10, 'hold')]),
      check('2026-11-26T12:01:00Z', 'pass', [requests(60, 'pass')]),
      check('2026-11-26T12:02:00Z', 'fail', [errorRate(0.2, 'fail')]),
    ];
    expect(checkCountsText(record(0, '2026-11-26T12:00:00Z', checks))).toBe('3 checks: 1 passed, 1 failed, 1 held');
    expect(checkCountsText(record(0, '2026-11-26T12:00:00Z', checks, { checkCount: 20, failedCount: 1 }))).toBe('20 checks: 19 passed or held, 1 failed');
    expect(checkCountsText(record(0, '2026-11-26T12:00:00Z', []))).toBe('no checks yet');
    expect(checkCountsText(record(3, '2026-11-26T12:00:00Z', [], { endedAt: '2026-11-26T12:00:00Z' }))).toBe('no checks');
  });

  it('finds the newest failing measurement of a step, else a holding one', () => {
    const failing = errorRate(0.2, 'fail');
    expect(decidingMeasurement(record(0, '', [check('a', 'fail', [failing]), check('b', 'hold', [requests(3, 'hold')])]))).toBe(failing);
    expect(decidingMeasurement(record(0, '', [check('a', 'hold', [requests(3, 'hold')])]))?.gate).toBe('minRequests');
    expect(decidingMeasurement(record(0, '', [check('a', 'pass', [requests(80, 'pass')])]))).toBeUndefined();
  });

  it('puts each event with the step it happened in (the start with the first)', () => {
    const event = (at: string, action: RolloutEvent['action']): RolloutEvent => ({ at, by: 'ana', action, message: action });
    const steps = stepsWithEvents({
      history: [record(0, '2026-11-26T12:00:00Z', []), record(1, '2026-11-26T12:05:00Z', [])],
      events: [
        event('2026-11-26T12:00:00Z', 'start'),
        event('2026-11-26T12:03:00Z', 'pause'),
        event('2026-11-26T12:05:00Z', 'advance'),
        event('2026-11-26T12:06:00Z', 'rollback'),
      ],
    });
    expect(steps.map((s) => s.events.map((e) => e.action))).toEqual([
      ['start', 'pause'],
      ['advance', 'rollback'],
    ]);
  });
});
