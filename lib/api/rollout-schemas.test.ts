import { describe, expect, it } from 'vitest';
import { controlBody, controlParams, planInput, seriesQuery, startBody, toPlan, type RolloutPlanInput } from './rollout-schemas';

const stable = { host: 'reviews', subset: 'stable' };
const candidate = { host: 'reviews', subset: 'canary' };
const gates = { minRequests: 50, maxErrorRate: 0.05 };
const plan: RolloutPlanInput = {
  route: 1,
  stable,
  candidate,
  steps: [5, 10, 25, 50, 100],
  stepDuration: '5m',
  interval: '1m',
  window: '2m',
  gates,
  maxFailedChecks: 2,
};

/** The messages as the API's 400 writes them (lib/http/responses.ts): "path: message". */
function problems(body: unknown): string[] {
  const result = startBody.safeParse(body);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
const start = (changes: Record<string, unknown>) => problems({ resourceVersion: '7', reason: 'release 2.4', plan: { ...plan, ...changes } });

describe('startBody', () => {
  it('normalizes a plan: durations in seconds, steps as given', () => {
    const body = startBody.parse({ resourceVersion: '7', reason: 'release 2.4', plan: { ...plan, preset: 'standard' } });
    const seconds = { stepSeconds: 300, intervalSeconds: 60, windowSeconds: 120 };
    expect(body.plan).toEqual({ route: 1, stable, candidate, steps: [5, 10, 25, 50, 100], ...seconds, gates, maxFailedChecks: 2, preset: 'standard' });
  });

  it('makes steps from a step weight and a maximum, and takes durations down to a second', () => {
    const { steps: _steps, ...rest } = plan;
    const parsed = planInput.parse({ ...rest, stepWeight: 20, maxWeight: 100, stepDuration: '1m30s', interval: '1s', window: '3s' });
    expect(toPlan(parsed)).toMatchObject({ steps: [20, 40, 60, 80, 100], stepSeconds: 90, intervalSeconds: 1, windowSeconds: 3 });
  });

  it('names the field of steps that do not increase or leave 1..100', () => {
    expect(start({ steps: [5, 25, 10] })).toEqual(['plan.steps: must increase: 10 comes after 25']);
    expect(start({ steps: [0, 50] })).toEqual(['plan.steps: 0 is not a whole percentage from 1 to 100']);
    expect(start({ steps: [] })).toEqual(['plan.steps: needs at least one step']);
    expect(start({ steps: undefined })).toEqual(['plan.steps: give the steps (e.g. [5, 10, 25, 50, 100]) or a stepWeight and a maxWeight']);
    expect(start({ stepWeight: 10, maxWeight: 50 })).toEqual(['plan.steps: give the steps or a stepWeight and a maxWeight, not both']);
    expect(start({ steps: undefined, stepWeight: 1, maxWeight: 100 })).toEqual(['plan.stepWeight: 1 up to 100 makes 100 steps; a plan has at most 20']);
    expect(start({ steps: undefined, stepWeight: 10 })).toEqual(['plan.maxWeight: is needed with stepWeight (the last step)']);
  });

  it('names a gate without a threshold, a ratio out of range, and a plan that cannot fail', () => {
    expect(start({ gates: { maxErrorRate: 0.05, custom: [{ name: 'orders', query: 'sum(rate(orders_total[$window]))' }] } })).toEqual([
      'plan.gates.custom.0: give a max or a min threshold',
    ]);
    expect(start({ gates: { custom: [{ name: '', query: 'up', max: 1 }] } })).toEqual(['plan.gates.custom.0.name: give the gate a name']);
    expect(
      start({
        gates: {
          custom: [
            { name: 'a', query: 'up', max: 1 },
            { name: 'a', query: 'up', min: 0 },
          ],
        },
      }),
    ).toEqual(['plan.gates.custom.1.name: another custom gate is named "a"']);
    expect(start({ gates: { maxErrorRate: 5 } })).toEqual(['plan.gates.maxErrorRate: must be a ratio from 0 to 1 (0.05 is 5 %)']);
    expect(start({ gates: { minRequests: 100 } })).toEqual([
      'plan.gates: give a gate that can fail (an error rate, a P99 or a custom query): minimum requests only hold a step',
    ]);
  });

  it('names durations it cannot read or that are too short', () => {
    expect(start({ interval: '500ms' })).toEqual(['plan.interval: must be at least 1s (got 500ms)']);
    expect(start({ window: '2 minutes' })).toEqual([
      'plan.window: "2 minutes" is not a duration (\"minutes\" is not a unit); write a number and a unit, such as 30s, 5m or 1h30m',
    ]);
    expect(start({ stepDuration: '1.5s' })).toEqual(['plan.stepDuration: must be whole seconds (got 1.5s)']);
    expect(start({ stepDuration: '48h' })).toEqual(['plan.stepDuration: must be at most 24h (got 48h)']);
  });

  it('names unknown fields, a candidate equal to the stable, and a failure policy under 1', () => {
    expect(start({ stepz: [5] })).toEqual([
      'plan: unknown field "stepz" (a plan has route, routeName, stable, candidate, steps, stepWeight, maxWeight, stepDuration, interval, window, gates, maxFailedChecks, preset)',
    ]);
    expect(start({ candidate: { host: 'reviews', subset: 'stable' } })).toEqual(['plan.candidate: must differ from the stable destination']);
    expect(start({ maxFailedChecks: 0 })).toEqual(['plan.maxFailedChecks: must be 1 or more']);
    expect(problems({ reason: 'x', plan })).toEqual([
      'resourceVersion: Invalid input: expected string, received undefined',
      'reason: say why you make this change (at least 3 characters)',
    ]);
  });
});

describe('control requests', () => {
  it('take a resourceVersion and a reason, and one of the controls', () => {
    expect(controlBody.parse({ resourceVersion: '3', reason: ' checking the dashboards ' })).toEqual({
      resourceVersion: '3',
      reason: 'checking the dashboards',
    });
    expect(controlParams.parse({ namespace: 'shop', name: 'reviews', action: 'skip' }).action).toBe('skip');
    expect(controlParams.safeParse({ namespace: 'shop', name: 'reviews', action: 'restart' }).error?.issues[0]?.message).toBe(
      'must be one of pause, resume, abort, skip, promote, acknowledge',
    );
    expect(seriesQuery.parse({ step: '2' })).toEqual({ step: 2 });
  });
});
