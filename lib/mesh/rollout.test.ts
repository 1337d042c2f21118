import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from '../../sandbox/api/patch.ts';
import {
  afterCheck,
  checkDue,
  CHECKS_KEPT_PER_STEP,
  CONFLICT_FIELD,
  control,
  controlRefusal,
  describeMeasurement,
  EVENTS_KEPT,
  foreignChange,
  gateVerdict,
  holdLimitSeconds,
  MAX_ROLLOUT_ANNOTATION_BYTES,
  MIN_HELD_CHECKS,
  nextCheckAt,
  CONTROLLER_ACTOR,
  stepVerdict,
  pauseForForeignChange,
  planProblems,
  ROLLOUT_ANNOTATION,
  rolloutOf,
  rolloutPatch,
  ROLLOUT_CONTROLS,
  startRollout,
  stepsProblem,
  summarize,
  verdictOf,
  type GateMeasurement,
  type RolloutCheck,
  type RolloutControl,
  type RolloutPlan,
  type RolloutState,
  type Transition,
} from './rollout';
import type { VirtualService } from './types';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function canaryVs(overrides: Partial<VirtualService['metadata']> = {}): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'shop', resourceVersion: '100', ...overrides },
    spec: {
      hosts: ['reviews'],
      http: [
        {
          name: 'testers',
          match: [{ headers: { 'x-tester': { exact: 'yes' } } }],
          route: [{ destination: { host: 'reviews', subset: 'canary' } }],
        },
        {
          name: 'split',
          route: [
            { destination: { host: 'reviews', subset: 'stable' }, weight: 95 },
            { destination: { host: 'reviews', subset: 'canary' }, weight: 5 },
            { destination: { host: 'reviews', subset: 'legacy' }, weight: 0 },
          ],
        },
      ],
    },
  };
}

const plan: RolloutPlan = {
  route: 1,
  stable: { host: 'reviews', subset: 'stable' },
  candidate: { host: 'reviews', subset: 'canary' },
  steps: [5, 10, 25, 50, 100],
  stepSeconds: 300,
  intervalSeconds: 60,
  windowSeconds: 120,
  gates: { minRequests: 50, maxErrorRate: 0.05, maxP99Ratio: 1.5 },
  maxFailedChecks: 2,
};

const actor = (seconds: number, by = 'ops@example.com', reason = 'release 2.4') => ({ by, reason, now: at(seconds) });

function measurement(gate: GateMeasurement['gate'], value: number | null, threshold: number, bound: 'max' | 'min' = 'max'): GateMeasurement {
  return { gate, value, threshold, bound, verdict: gateVerdict(gate, value, threshold, bound) };
}

function check(seconds: number, kind: 'pass' | 'fail' | 'hold'): RolloutCheck {
  const measurements = [
    measurement('minRequests', kind === 'hold' ? 12 : 400, 50, 'min'),
    measurement('errorRate', kind === 'fail' ? 0.213 : 0.01, 0.05),
    measurement('p99Ratio', 1.1, 1.5),
  ];
  return { at: at(seconds).toISOString(), verdict: verdictOf(measurements), measurements };
}

/** Applies a transition's patch as the API server would, bumping the resourceVersion. */
function apply(vs: VirtualService, transition: Transition): VirtualService {
  const next = applyJsonPatch(vs, rolloutPatch(vs, transition)) as VirtualService;
  next.metadata.resourceVersion = String(Number(vs.metadata.resourceVersion) + 1);
  return next;
}

const weightsOf = (vs: VirtualService) => vs.spec.http![1]!.route!.map((r) => r.weight);
const stateOf = (vs: VirtualService) => (rolloutOf(vs) as { state: RolloutState }).state;

describe('planProblems', () => {
  it('accepts a plan on a weighted route whose other destinations are at 0', () => {
    expect(planProblems(canaryVs(), plan)).toEqual([]);
  });

  it('names the field of each problem with the route as it is', () => {
    expect(planProblems(canaryVs(), { ...plan, candidate: { host: 'reviews', subset: 'v9' } })[0]).toEqual({
      field: 'plan.candidate',
      message: 'route 2 (split) of reviews has no destination subset v9 of reviews (it has stable, canary, legacy)',
    });
    expect(planProblems(canaryVs(), { ...plan, candidate: plan.stable })[0]).toEqual({
      field: 'plan.candidate',
      message: 'must differ from the stable destination (subset stable of reviews)',
    });
    expect(planProblems(canaryVs(), { ...plan, route: 4 })).toEqual([{ field: 'plan.route', message: 'reviews has no http route 5 (it has 2)' }]);
    expect(planProblems(canaryVs(), { ...plan, route: 0 }).map((p) => p.field)).toEqual(['plan.route', 'plan.stable']);
    expect(planProblems(canaryVs(), { ...plan, routeName: 'old' })[0]).toMatchObject({ field: 'plan.routeName' });
    expect(planProblems(canaryVs(), { ...plan, steps: [25, 10] })).toEqual([{ field: 'plan.steps', message: 'must increase: 10 comes after 25' }]);
    expect(planProblems(canaryVs(), { ...plan, gates: { minRequests: 10 } })[0]).toMatchObject({ field: 'plan.gates' });
  });

  it('refuses a route with weight on a third destination', () => {
    const vs = canaryVs();
    vs.spec.http![1]!.route![2]!.weight = 5;
    vs.spec.http![1]!.route![0]!.weight = 90;
    expect(planProblems(vs, plan)).toEqual([
      {
        field: 'plan.route',
        message:
          'subset legacy of reviews has 5 % of route 2 (split) of reviews: a rollout moves traffic between the stable and the candidate only; set the others to 0 first',
      },
    ]);
  });

  it('refuses objects Flagger owns and routes with an active rollout, as conflicts', () => {
    const flagger = canaryVs({ ownerReferences: [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'reviews', controller: true }] });
    expect(planProblems(flagger, plan)).toEqual([
      { field: CONFLICT_FIELD, message: 'Flagger (Canary reviews) manages this VirtualService; Meshdeck runs no rollout on it' },
    ]);
    const running = apply(canaryVs(), startRollout(canaryVs(), plan, actor(0)));
    expect(planProblems(running, plan)).toEqual([
      { field: CONFLICT_FIELD, message: 'a rollout is already progressing on reviews (step 1 of 5 (5 %)): abort it first' },
    ]);
    const garbled = canaryVs({ annotations: { [ROLLOUT_ANNOTATION]: '{' } });
    expect(planProblems(garbled, plan)[0]).toMatchObject({ field: CONFLICT_FIELD, message: expect.stringMatching(/not JSON; remove it/) });
  });

  it('lets a new rollout start once the last one ended', () => {
    const vs = canaryVs();
    const started = apply(vs, startRollout(vs, plan, actor(0)));
    const aborted = apply(started, control(stateOf(started), 'abort', actor(10)));
    expect(planProblems(aborted, plan)).toEqual([]);
  });
});

describe('stepsProblem', () => {
  it('wants whole percentages 1..100, strictly increasing, at most 20', () => {
    expect(stepsProblem([5, 10, 100])).toBeUndefined();
    expect(stepsProblem([])).toBe('needs at least one step');
    expect(stepsProblem([0, 10])).toBe('0 is not a whole percentage from 1 to 100');
    expect(stepsProblem([5, 5.5])).toBe('5.5 is not a whole percentage from 1 to 100');
    expect(stepsProblem([5, 10, 10])).toBe('must increase: 10 comes after 10');
    expect(stepsProblem(Array.from({ length: 21 }, (_, i) => i + 1))).toBe('has 21 steps; a plan has at most 20');
  });
});

describe('startRollout', () => {
  it('writes the first step and records the plan, the destinations and who started it', () => {
    const vs = canaryVs({ annotations: { team: 'reviews' } });
    const started = startRollout(vs, plan, actor(0));
    expect(started.weights).toEqual([95, 5, 0]);
    expect(started.action).toBe('start');
    expect(started.summary).toBe('Started: canary 5 %, stable 95 % at step 1 of 5 (5 %). release 2.4');
    const written = apply(vs, started);
    expect(weightsOf(written)).toEqual([95, 5, 0]);
    expect(written.metadata.annotations!.team).toBe('reviews');
    const state = stateOf(written);
    expect(state).toMatchObject({
      phase: 'Progressing',
      step: 0,
      startedBy: 'ops@example.com',
      expectedWeights: [95, 5, 0],
      plan: { routeName: 'split' },
      destinations: [
        { host: 'reviews', subset: 'stable' },
        { host: 'reviews', subset: 'canary' },
        { host: 'reviews', subset: 'legacy' },
      ],
      history: [{ index: 0, weight: 5, startedAt: at(0).toISOString(), checks: [], checkCount: 0, failedCount: 0 }],
    });
    expect(state.events).toHaveLength(1);
  });

  it('throws the problems of a plan that does not fit', () => {
    expect(() => startRollout(canaryVs(), { ...plan, steps: [] }, actor(0))).toThrow('plan.steps: needs at least one step');
  });
});

describe('checks', () => {
  const started = () => startRollout(canaryVs(), plan, actor(0)).state;

  it('are due each interval and at the end of the step', () => {
    const odd = { ...started(), plan: { ...plan, intervalSeconds: 90 } };
    expect(checkDue(odd, at(89))).toBe(false);
    expect(checkDue(odd, at(90))).toBe(true);
    const afterFour = afterCheck(
      afterCheck(afterCheck(odd, check(90, 'pass'), at(90)).state, check(180, 'pass'), at(180)).state,
      check(270, 'pass'),
      at(270),
    ).state;
    // The interval would say 360 s; the step ends at 300 s.
    expect(nextCheckAt(afterFour)?.toISOString()).toBe(at(300).toISOString());
    const paused = control(started(), 'pause', actor(5)).state;
    expect(checkDue(paused, at(1000))).toBe(false);
  });

  it('judge gates: no data and too few requests hold, a crossed threshold fails', () => {
    expect(gateVerdict('errorRate', null, 0.05, 'max')).toBe('hold');
    expect(gateVerdict('minRequests', 12, 50, 'min')).toBe('hold');
    expect(gateVerdict('errorRate', 0.05, 0.05, 'max')).toBe('pass');
    expect(gateVerdict('errorRate', 0.051, 0.05, 'max')).toBe('fail');
    expect(gateVerdict('custom:orders', 3, 5, 'min')).toBe('fail');
    expect(verdictOf([])).toBe('hold');
    expect(verdictOf([measurement('errorRate', null, 0.05), measurement('p99', 900, 500)])).toBe('fail');
    expect(describeMeasurement(measurement('errorRate', 0.213, 0.05))).toBe('error rate 21.3 % > 5 %');
    expect(describeMeasurement(measurement('errorRateIncrease', 0.004, 0.01))).toBe('error rate over stable 0.4 points ≤ 1 point');
    expect(describeMeasurement(measurement('p99', 812.44, 500))).toBe('P99 812.4 ms > 500 ms');
    expect(describeMeasurement(measurement('minRequests', 12, 50, 'min'))).toBe('requests 12 < 50');
    expect(describeMeasurement(measurement('custom:Orders per minute', null, 5, 'min'))).toBe('Orders per minute: no data');
  });

  it('a pass before the step is up records the check and moves nothing', () => {
    const t = afterCheck(started(), check(60, 'pass'), at(60));
    expect(t).toMatchObject({ action: 'check', summary: 'Check passed at step 1 (5 %)' });
    expect(t.weights).toBeUndefined();
    expect(t.state.history[0]).toMatchObject({ checkCount: 1, failedCount: 0 });
    expect(t.state.lastCheckAt).toBe(at(60).toISOString());
  });

  it('a pass at the end of the step moves to the next one', () => {
    const t = afterCheck(started(), check(300, 'pass'), at(300));
    expect(t.action).toBe('advance');
    expect(t.weights).toEqual([90, 10, 0]);
    expect(t.summary).toBe('Step 1 of 5 (5 %) passed: canary 10 %, stable 90 % at step 2 of 5 (10 %)');
    expect(t.state).toMatchObject({ step: 1, stepStartedAt: at(300).toISOString(), expectedWeights: [90, 10, 0], failedChecks: 0 });
    expect(t.state.history.map((r) => [r.index, r.weight, r.outcome])).toEqual([
      [0, 5, 'passed'],
      [1, 10, undefined],
    ]);
  });

  it('a hold moves nothing and counts nothing, even at the end of the step', () => {
    const failedOnce = afterCheck(started(), check(60, 'fail'), at(60)).state;
    const t = afterCheck(failedOnce, check(300, 'hold'), at(300));
    expect(t).toMatchObject({ action: 'check', summary: 'Check held at step 1 (5 %): requests 12 < 50' });
    expect(t.weights).toBeUndefined();
    expect(t.state).toMatchObject({ step: 0, failedChecks: 1 });
  });

  it('a failed check counts, a pass resets the count, and maxFailedChecks in a row roll back', () => {
    const once = afterCheck(started(), check(60, 'fail'), at(60));
    expect(once).toMatchObject({ action: 'check-failed', summary: 'Check failed (1 of 2 before a rollback): error rate 21.3 % > 5 % at step 1 (5 %)' });
    expect(once.weights).toBeUndefined();
    const reset = afterCheck(once.state, check(120, 'pass'), at(120)).state;
    expect(reset.failedChecks).toBe(0);
    const again = afterCheck(afterCheck(reset, check(180, 'fail'), at(180)).state, check(240, 'fail'), at(240));
    expect(again.action).toBe('rollback');
    expect(again.weights).toEqual([100, 0, 0]);
    expect(again.state).toMatchObject({
      phase: 'RolledBack',
      endReason: 'error rate 21.3 % > 5 % at step 1 (5 %)',
      endedAt: at(240).toISOString(),
      expectedWeights: [100, 0, 0],
    });
    expect(again.summary).toBe('Rolled back to stable: error rate 21.3 % > 5 % at step 1 (5 %) (2 failed checks in a row)');
    expect(again.state.history.at(-1)).toMatchObject({ outcome: 'failed', checkCount: 4, failedCount: 3 });
    expect(() => afterCheck(again.state, check(300, 'pass'), at(300))).toThrow('The rollout is rolled back: checks count only while it progresses');
  });

  it('after the last step passes the candidate gets 100 % and the rollout is promoted', () => {
    let state = { ...started(), plan: { ...plan, steps: [5, 50] } };
    state = afterCheck(state, check(300, 'pass'), at(300)).state;
    const t = afterCheck(state, check(600, 'pass'), at(600));
    expect(t.action).toBe('promote');
    expect(t.weights).toEqual([0, 100, 0]);
    expect(t.state).toMatchObject({ phase: 'Promoted', step: 2, expectedWeights: [0, 100, 0] });
    expect(t.state.history.map((r) => [r.index, r.weight, r.outcome])).toEqual([
      [0, 5, 'passed'],
      [1, 50, 'passed'],
      [2, 100, 'promoted'],
    ]);
  });

  it('a last step of 100 promotes at its end without a weight change', () => {
    let state = { ...started(), plan: { ...plan, steps: [5, 100] } };
    state = afterCheck(state, check(300, 'pass'), at(300)).state;
    expect(state.expectedWeights).toEqual([0, 100, 0]);
    const t = afterCheck(state, check(600, 'pass'), at(600));
    expect(t.action).toBe('promote');
    expect(t.weights).toBeUndefined();
    expect(t.state.phase).toBe('Promoted');
    expect(t.state.history.map((r) => [r.index, r.outcome])).toEqual([
      [0, 'passed'],
      [1, 'passed'],
    ]);
  });
});

describe('a step without evidence', () => {
  const started = () => startRollout(canaryVs(), plan, actor(0)).state;

  /** Checks every interval from `from` while the rollout progresses and the time is before `until`, each with the verdict `verdictAt` gives. */
  function checksUntil(state: RolloutState, until: number, verdictAt: (seconds: number) => RolloutCheck): Transition[] {
    const transitions: Transition[] = [];
    for (let due = nextCheckAt(state); due && (due.getTime() - T0) / 1000 <= until; due = nextCheckAt(state)) {
      const seconds = (due.getTime() - T0) / 1000;
      const t = afterCheck(state, verdictAt(seconds), at(seconds));
      transitions.push(t);
      state = t.state;
    }
    return transitions;
  }

  it('pauses itself three step-times in, naming the holding gates and the silence, and moves no weight', () => {
    expect(holdLimitSeconds(plan)).toBe(900);
    const transitions = checksUntil(started(), 3600, (s) => check(s, 'hold'));
    const pause = transitions.at(-1)!;
    expect(transitions.slice(0, -1).every((t) => t.action === 'check' && t.state.phase === 'Progressing')).toBe(true);
    expect(transitions.every((t) => t.weights === undefined)).toBe(true);
    expect(pause.state.lastCheckAt).toBe(at(900).toISOString());
    const reason =
      'no evidence for 15m (15 checks held: requests 12 < 50); nothing was rolled back: resume once the candidate receives traffic, or start again with fewer minimum requests';
    expect(pause).toMatchObject({ action: 'pause', summary: `Paused at step 1 of 5 (5 %): ${reason}` });
    expect(pause.state).toMatchObject({
      phase: 'Paused',
      step: 0,
      failedChecks: 0,
      pausedReason: reason,
      pausedBy: CONTROLLER_ACTOR,
      expectedWeights: [95, 5, 0],
    });
    expect(pause.state.events.at(-1)).toMatchObject({ action: 'pause', by: CONTROLLER_ACTOR, message: pause.summary });
  });

  it('says when the gates could not be measured at all (Prometheus down), and never rolls back for it', () => {
    const down = (seconds: number): RolloutCheck => ({
      at: at(seconds).toISOString(),
      verdict: 'hold',
      measurements: [measurement('errorRate', null, 0.05), measurement('p99Ratio', null, 1.5)],
      error: 'Prometheus did not answer: connection refused',
    });
    const pause = checksUntil(started(), 3600, down).at(-1)!;
    expect(pause.action).toBe('pause');
    expect(pause.state.pausedReason).toBe(
      'no evidence for 15m (15 checks held: error rate: no data, P99 × stable: no data, Prometheus did not answer: connection refused); nothing was rolled back: resume once the gates can be measured again',
    );
  });

  it('counts the silence from the last pass or fail, and needs a few holding checks in a row', () => {
    const verdicts = (s: number) => check(s, s === 600 ? 'pass' : s === 720 ? 'fail' : 'hold');
    const transitions = checksUntil(started(), 3600, verdicts);
    expect(transitions.at(-1)).toMatchObject({ action: 'pause', state: { lastCheckAt: at(720 + 900).toISOString(), failedChecks: 1 } });
    // A check long after the step began, after a controller outage: the silence is long, but one held check is not a run.
    const late = { ...started(), plan: { ...plan, stepSeconds: 10 } };
    const afterOutage = checksUntil(late, 4000, (s) => check(s, 'hold')).map((t) => [(Date.parse(t.state.lastCheckAt!) - T0) / 1000, t.action]);
    expect(afterOutage).toEqual([
      [10, 'check'],
      [70, 'check'],
      [130, 'pause'],
    ]);
    expect(MIN_HELD_CHECKS).toBe(3);
  });

  it('at the 100 % step, is not held by gates relative to a stable that no longer gets traffic', () => {
    const noStable = (seconds: number): RolloutCheck => {
      const measurements = [measurement('minRequests', 400, 50, 'min'), measurement('errorRate', 0.01, 0.05), measurement('p99Ratio', null, 1.5)];
      return { at: at(seconds).toISOString(), verdict: verdictOf(measurements), measurements };
    };
    const p = { ...plan, steps: [5, 100] };
    expect(stepVerdict(p, 0, noStable(60))).toBe('hold');
    expect(stepVerdict(p, 1, noStable(60))).toBe('pass');
    expect(stepVerdict(p, 1, check(60, 'hold'))).toBe('hold');
    const atHundred = afterCheck({ ...started(), plan: p }, check(300, 'pass'), at(300)).state;
    const t = afterCheck(atHundred, noStable(600), at(600));
    expect(t).toMatchObject({ action: 'promote', state: { phase: 'Promoted' } });
    expect(t.state.history[1]!.checks.at(-1)!.verdict).toBe('pass');
  });

  it('starts a new count when a step starts or is resumed', () => {
    const advanced = afterCheck(afterCheck(started(), check(240, 'hold'), at(240)).state, check(300, 'pass'), at(300)).state;
    expect(advanced.step).toBe(1);
    expect(advanced.holding).toBeUndefined();
    const paused = checksUntil(advanced, 10_000, (s) => check(s, 'hold')).at(-1)!;
    expect(paused.state.lastCheckAt).toBe(at(300 + 900).toISOString());
    const resumed = control(paused.state, 'resume', actor(2000));
    expect(resumed.state.holding).toBeUndefined();
    expect(checksUntil(resumed.state, 10_000, (s) => check(s, 'hold')).at(-1)!.state.lastCheckAt).toBe(at(2000 + 900).toISOString());
  });
});

describe('control', () => {
  const started = () => startRollout(canaryVs(), plan, actor(0)).state;

  it('pauses and resumes with the step clock restarted and its weights written back', () => {
    const paused = control(started(), 'pause', actor(100, 'ops', 'waiting for the load test'));
    expect(paused).toMatchObject({ action: 'pause', summary: 'Paused at step 1 of 5 (5 %): waiting for the load test' });
    expect(paused.weights).toBeUndefined();
    expect(paused.state).toMatchObject({ phase: 'Paused', pausedReason: 'waiting for the load test', pausedBy: 'ops' });
    expect(() => control(paused.state, 'pause', actor(110))).toThrow('The rollout is paused already');
    const resumed = control(paused.state, 'resume', actor(200));
    expect(resumed.weights).toEqual([95, 5, 0]);
    expect(resumed.state).toMatchObject({ phase: 'Progressing', stepStartedAt: at(200).toISOString(), failedChecks: 0 });
    expect(resumed.state.pausedReason).toBeUndefined();
    expect(checkDue(resumed.state, at(259))).toBe(false);
    expect(checkDue(resumed.state, at(260))).toBe(true);
    expect(() => control(resumed.state, 'resume', actor(210))).toThrow('The rollout is not paused: it is progressing');
  });

  it('aborts back to the stable', () => {
    const t = control(started(), 'abort', actor(50, 'ops', 'wrong build'));
    expect(t.weights).toEqual([100, 0, 0]);
    expect(t.state).toMatchObject({ phase: 'Aborted', endReason: 'aborted by ops: wrong build' });
    expect(t.state.history[0]!.outcome).toBe('aborted');
    expect(() => control(t.state, 'skip', actor(60))).toThrow('The rollout has ended (aborted): there is nothing to skip');
    expect(() => control(t.state, 'acknowledge', actor(60))).toThrow('Only a rollback needs acknowledging; this rollout is aborted');
  });

  it('skips to the next step now, and from the last step promotes', () => {
    const skipped = control(started(), 'skip', actor(30, 'admin', 'known good'));
    expect(skipped).toMatchObject({ action: 'skip', weights: [90, 10, 0] });
    expect(skipped.state.history[0]!.outcome).toBe('skipped');
    const last = { ...skipped.state, plan: { ...plan, steps: [5, 10] } };
    const promoted = control(control(last, 'pause', actor(40)).state, 'skip', actor(50));
    expect(promoted.action).toBe('skip');
    expect(promoted.weights).toEqual([0, 100, 0]);
    expect(promoted.state).toMatchObject({ phase: 'Promoted' });
    expect(promoted.state.pausedReason).toBeUndefined();
  });

  it('promotes now', () => {
    const t = control(started(), 'promote', actor(30, 'admin', 'hotfix'));
    expect(t.weights).toEqual([0, 100, 0]);
    expect(t.state).toMatchObject({ phase: 'Promoted', step: 5 });
    expect(t.state.history.map((r) => [r.index, r.outcome])).toEqual([
      [0, 'promoted'],
      [5, 'promoted'],
    ]);
  });

  it('acknowledges a rollback once', () => {
    let state = started();
    state = afterCheck(state, check(60, 'fail'), at(60)).state;
    state = afterCheck(state, check(120, 'fail'), at(120)).state;
    const t = control(state, 'acknowledge', actor(200, 'ops', 'seen, fixing'));
    expect(t.weights).toBeUndefined();
    expect(t.state.acknowledged).toEqual({ by: 'ops', at: at(200).toISOString() });
    expect(() => control(t.state, 'acknowledge', actor(210))).toThrow(/acknowledged already, by ops/);
  });
});

describe('foreign changes', () => {
  it('names expected and found weights, and pauses without writing weights', () => {
    const vs = canaryVs();
    const started = apply(vs, startRollout(vs, plan, actor(0)));
    expect(foreignChange(stateOf(started), started)).toBeUndefined();
    const edited = structuredClone(started);
    edited.spec.http![1]!.route![0]!.weight = 50;
    edited.spec.http![1]!.route![1]!.weight = 50;
    const reason = foreignChange(stateOf(edited), edited)!;
    expect(reason).toBe(
      'the weights of route 2 (split) of reviews were changed outside the rollout: expected stable 95 % / canary 5 % / legacy 0 %, found stable 50 % / canary 50 % / legacy 0 %',
    );
    const t = pauseForForeignChange(stateOf(edited), reason, at(30));
    expect(t).toMatchObject({ action: 'foreign-change', state: { phase: 'Paused', pausedReason: reason } });
    expect(t.weights).toBeUndefined();
    const paused = apply(edited, t);
    expect(weightsOf(paused)).toEqual([50, 50, 0]);
    expect(() => pauseForForeignChange(t.state, reason, at(40))).toThrow(/only a progressing rollout pauses/);
  });

  it('sees destinations and routes that changed', () => {
    const vs = canaryVs();
    const started = apply(vs, startRollout(vs, plan, actor(0)));
    const added = structuredClone(started);
    added.spec.http![1]!.route!.push({ destination: { host: 'reviews', subset: 'v4' }, weight: 0 });
    expect(foreignChange(stateOf(added), added)).toMatch(
      /destinations of route 2 \(split\) of reviews changed: expected stable, canary, legacy, found stable, canary, legacy, v4/,
    );
    const renamed = structuredClone(started);
    renamed.spec.http![1]!.name = 'main';
    expect(foreignChange(stateOf(renamed), renamed)).toBe('route 2 of reviews is now named "main", not "split"');
    const gone = structuredClone(started);
    gone.spec.http!.pop();
    expect(foreignChange(stateOf(gone), gone)).toBe('route 2 (split) of reviews no longer exists');
  });
});

describe('rolloutPatch', () => {
  it('carries the resourceVersion and tests the route even when it writes no weights', () => {
    const vs = apply(canaryVs(), startRollout(canaryVs(), plan, actor(0)));
    const ops = rolloutPatch(vs, afterCheck(stateOf(vs), check(60, 'pass'), at(60)));
    expect(ops.slice(0, -1)).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '101' },
      { op: 'test', path: '/spec/http/1/name', value: 'split' },
      { op: 'test', path: '/spec/http/1/route/0/destination/host', value: 'reviews' },
      { op: 'test', path: '/spec/http/1/route/0/destination/subset', value: 'stable' },
      { op: 'test', path: '/spec/http/1/route/1/destination/host', value: 'reviews' },
      { op: 'test', path: '/spec/http/1/route/1/destination/subset', value: 'canary' },
      { op: 'test', path: '/spec/http/1/route/2/destination/host', value: 'reviews' },
      { op: 'test', path: '/spec/http/1/route/2/destination/subset', value: 'legacy' },
    ]);
    expect(ops.at(-1)).toMatchObject({ op: 'replace', path: '/metadata/annotations/meshdeck.io~1rollout' });
  });

  it('adds the annotations map when the object has none', () => {
    const ops = rolloutPatch(canaryVs(), startRollout(canaryVs(), plan, actor(0)));
    expect(ops.at(-1)).toMatchObject({ op: 'add', path: '/metadata/annotations', value: { [ROLLOUT_ANNOTATION]: expect.any(String) } });
  });

  it('keeps the newest checks and events and stays under the size limit', () => {
    const bulky = { ...plan, maxFailedChecks: 1000, gates: { ...plan.gates, custom: [{ name: 'x'.repeat(50), query: 'q'.repeat(1900), max: 1 }] } };
    let vs = canaryVs();
    let state = startRollout(vs, bulky, actor(0)).state;
    for (let i = 1; i <= 400; i++) {
      const failing: RolloutCheck = { ...check(i, 'fail'), error: 'e'.repeat(300) };
      state = afterCheck(state, failing, at(i)).state;
    }
    expect(state.history[0]!.checks).toHaveLength(CHECKS_KEPT_PER_STEP);
    expect(state.events).toHaveLength(EVENTS_KEPT);
    vs = apply(vs, { state, action: 'check', summary: '' });
    expect(new TextEncoder().encode(vs.metadata.annotations![ROLLOUT_ANNOTATION]!).length).toBeLessThanOrEqual(MAX_ROLLOUT_ANNOTATION_BYTES);
    expect(stateOf(vs).history[0]!.checkCount).toBe(400);
  });
});

describe('summarize', () => {
  it('says what a row shows', () => {
    const vs = canaryVs();
    let state = startRollout(vs, { ...plan, preset: 'standard' }, actor(0)).state;
    state = afterCheck(state, check(300, 'pass'), at(300)).state;
    const summary = summarize('shop', 'reviews', '7', state);
    expect(summary).toMatchObject({
      namespace: 'shop',
      name: 'reviews',
      resourceVersion: '7',
      route: 1,
      routeName: 'split',
      phase: 'Progressing',
      step: 2,
      stepCount: 5,
      weight: 10,
      stable: plan.stable,
      candidate: plan.candidate,
      startedBy: 'ops@example.com',
      preset: 'standard',
      nextCheckAt: at(360).toISOString(),
      headline: 'Progressing, step 2 of 5 (10 %)',
    });
    expect(summary.lastCheck?.verdict).toBe('pass');
    expect(summary.holdingSince).toBeUndefined();
    expect(summarize('shop', 'reviews', '8', afterCheck(state, check(360, 'hold'), at(360)).state).holdingSince).toBe(at(300).toISOString());
    expect(summarize('shop', 'reviews', '8', control(state, 'promote', actor(400)).state)).toMatchObject({
      step: 5,
      weight: 100,
      headline: 'Promoted (canary 100 %)',
    });
    expect(summarize('shop', 'reviews', '8', control(state, 'abort', actor(400)).state).headline).toBe('Aborted at step 2 of 5');
  });
});

describe('properties', () => {
  const planArb = fc
    .record({
      steps: fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }).map((steps) => steps.sort((a, b) => a - b)),
      stepSeconds: fc.integer({ min: 1, max: 600 }),
      intervalSeconds: fc.integer({ min: 1, max: 120 }),
      maxFailedChecks: fc.integer({ min: 1, max: 4 }),
    })
    .map((p): RolloutPlan => ({ ...plan, ...p }));
  const verdictArb = fc.constantFrom<'pass' | 'fail' | 'hold'>('pass', 'fail', 'hold');
  type Move = { kind: 'check'; verdict: 'pass' | 'fail' | 'hold' } | { kind: 'control'; action: RolloutControl };
  const moveArb: fc.Arbitrary<Move> = fc.oneof(
    { weight: 4, arbitrary: verdictArb.map((verdict) => ({ kind: 'check' as const, verdict })) },
    { weight: 1, arbitrary: fc.constantFrom(...ROLLOUT_CONTROLS).map((action) => ({ kind: 'control' as const, action })) },
  );

  interface Written {
    transition: Transition;
    before: VirtualService;
    after: VirtualService;
  }

  /** Starts the plan and plays the moves as the controller would (each check when it is due), writing every transition. */
  function play(p: RolloutPlan, moves: Move[]): Written[] {
    let vs = canaryVs();
    const first = startRollout(vs, p, actor(0));
    const written: Written[] = [{ transition: first, before: vs, after: apply(vs, first) }];
    vs = written[0]!.after;
    let now = 0;
    for (const move of moves) {
      const state = stateOf(vs);
      let transition: Transition;
      if (move.kind === 'check') {
        const due = nextCheckAt(state);
        if (!due) continue;
        now = Math.max(now, (due.getTime() - T0) / 1000);
        transition = afterCheck(state, check(now, move.verdict), at(now));
      } else {
        now += 1;
        const refusal = controlRefusal(state, move.action);
        if (refusal) {
          expect(() => control(state, move.action, actor(now))).toThrow(refusal);
          continue;
        }
        transition = control(state, move.action, actor(now));
      }
      const after = apply(vs, transition);
      written.push({ transition, before: vs, after });
      vs = after;
    }
    return written;
  }

  const candidateOf = (vs: VirtualService) => weightsOf(vs)[1]!;

  it('writes weights that add up to 100 and move only the stable and the candidate', () => {
    fc.assert(
      fc.property(planArb, fc.array(moveArb, { maxLength: 40 }), (p, moves) => {
        for (const { transition, after } of play(p, moves)) {
          if (!transition.weights) continue;
          expect(transition.weights.reduce((a, b) => a + b, 0)).toBe(100);
          expect(transition.weights[2]).toBe(0);
          expect(weightsOf(after)).toEqual(transition.weights);
        }
      }),
    );
  });

  it('never lowers the candidate but to roll back or abort', () => {
    fc.assert(
      fc.property(planArb, fc.array(moveArb, { maxLength: 40 }), (p, moves) => {
        for (const { transition, before, after } of play(p, moves).slice(1)) {
          if (candidateOf(after) < candidateOf(before)) expect(['rollback', 'abort']).toContain(transition.action);
        }
      }),
    );
  });

  it('leaves nothing for foreignChange to see right after any transition is written', () => {
    fc.assert(
      fc.property(planArb, fc.array(moveArb, { maxLength: 40 }), (p, moves) => {
        for (const { after } of play(p, moves)) expect(foreignChange(stateOf(after), after)).toBeUndefined();
      }),
    );
  });

  it('visits the steps in order without skipping one, as long as only checks move it', () => {
    fc.assert(
      fc.property(planArb, fc.array(verdictArb, { maxLength: 60 }), (p, verdicts) => {
        const written = play(
          p,
          verdicts.map((verdict) => ({ kind: 'check', verdict })),
        );
        const steps = written.map(({ after }) => stateOf(after).step);
        steps.slice(1).forEach((step, i) => expect(step - steps[i]!).toBeGreaterThanOrEqual(0));
        steps.slice(1).forEach((step, i) => expect(step - steps[i]!).toBeLessThanOrEqual(1));
        const visited = stateOf(written.at(-1)!.after).history.map((r) => r.weight);
        expect(visited).toEqual([...p.steps, 100].slice(0, visited.length));
      }),
    );
  });

  it('rolls back exactly when maxFailedChecks checks in a row failed (holds do not break the row), never before', () => {
    fc.assert(
      fc.property(planArb, fc.array(verdictArb, { maxLength: 60 }), (p, verdicts) => {
        const written = play(
          p,
          verdicts.map((verdict) => ({ kind: 'check', verdict })),
        );
        let inARow = 0;
        written.slice(1).forEach(({ transition, after }, i) => {
          const verdict = verdicts[i]!;
          inARow = verdict === 'fail' ? inARow + 1 : verdict === 'pass' ? 0 : inARow;
          const rolledBack = stateOf(after).phase === 'RolledBack';
          expect(rolledBack).toBe(inARow >= p.maxFailedChecks);
          expect(transition.action === 'rollback').toBe(rolledBack);
          if (rolledBack) expect(weightsOf(after)).toEqual([100, 0, 0]);
        });
      }),
    );
  });

  /** Plans whose steps last at most a minute: a hold limit within a few hundred checks. */
  const quickSteps = planArb.map((p) => ({ ...p, stepSeconds: Math.max(1, Math.round(p.stepSeconds / 10)) }));

  it('never moves a weight for a run of holds, and pauses exactly once, at the first check past the hold limit', () => {
    fc.assert(
      fc.property(quickSteps, (p) => {
        const written = play(
          p,
          Array.from({ length: Math.ceil(holdLimitSeconds(p) / p.intervalSeconds) + MIN_HELD_CHECKS + 2 }, () => ({ kind: 'check', verdict: 'hold' })),
        );
        const checks = written.slice(1);
        expect(checks.every(({ transition }) => transition.weights === undefined)).toBe(true);
        expect(checks.filter(({ transition }) => transition.action === 'pause')).toHaveLength(1);
        const pausedAt = checks.findIndex(({ transition }) => transition.action === 'pause');
        const seconds = (w: Written) => (Date.parse(stateOf(w.after).lastCheckAt!) - T0) / 1000;
        checks.slice(0, pausedAt).forEach((w, i) => expect(i + 1 < MIN_HELD_CHECKS || seconds(w) < holdLimitSeconds(p)).toBe(true));
        expect(pausedAt + 1).toBeGreaterThanOrEqual(MIN_HELD_CHECKS);
        expect(seconds(checks[pausedAt]!)).toBeGreaterThanOrEqual(holdLimitSeconds(p));
        expect(weightsOf(written.at(-1)!.after)).toEqual(weightsOf(written[0]!.after));
      }),
      { numRuns: 40 },
    );
  });

  it('pauses for silence exactly when MIN_HELD_CHECKS holds in a row span the hold limit since the last pass or fail', () => {
    const holdHeavy = fc.oneof({ weight: 4, arbitrary: fc.constant<'hold'>('hold') }, { weight: 1, arbitrary: verdictArb });
    fc.assert(
      fc.property(quickSteps, fc.array(holdHeavy, { maxLength: 60 }), (p, verdicts) => {
        const written = play(
          p,
          verdicts.map((verdict) => ({ kind: 'check', verdict })),
        );
        let evidenceAt = 0;
        let held = 0;
        written.slice(1).forEach(({ transition, after }, i) => {
          const seconds = (Date.parse(stateOf(after).lastCheckAt!) - T0) / 1000;
          if (verdicts[i] === 'hold') held += 1;
          else [evidenceAt, held] = [seconds, 0];
          const silent = verdicts[i] === 'hold' && held >= MIN_HELD_CHECKS && seconds - evidenceAt >= holdLimitSeconds(p);
          expect(transition.action === 'pause').toBe(silent);
          if (silent) expect(transition.weights).toBeUndefined();
        });
      }),
    );
  });

  it('keeps the annotation under its limit after any number of checks', () => {
    const bulky = fc.record({ checks: fc.integer({ min: 1, max: 300 }), errorSize: fc.integer({ min: 0, max: 2000 }), gates: fc.integer({ min: 0, max: 10 }) });
    fc.assert(
      fc.property(bulky, ({ checks, errorSize, gates }) => {
        const custom = Array.from({ length: gates }, (_, i) => ({ name: `gate ${i}`, query: 'q'.repeat(1900), max: 1 }));
        const p = { ...plan, stepSeconds: 1_000_000, maxFailedChecks: 1000, gates: { ...plan.gates, custom } };
        let vs = canaryVs();
        vs = apply(vs, startRollout(vs, p, actor(0)));
        let state = stateOf(vs);
        for (let i = 1; i <= checks; i++) state = afterCheck(state, { ...check(i, i % 2 ? 'fail' : 'hold'), error: 'e'.repeat(errorSize) }, at(i)).state;
        vs = apply(vs, { state, action: 'check', summary: '' });
        expect(new TextEncoder().encode(vs.metadata.annotations![ROLLOUT_ANNOTATION]!).length).toBeLessThanOrEqual(MAX_ROLLOUT_ANNOTATION_BYTES);
        expect(stateOf(vs).history[0]!.checkCount).toBe(checks);
      }),
      { numRuns: 25 },
    );
  });
});
