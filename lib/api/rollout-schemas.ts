// Requests of the rollouts API, validated before anything reaches the cluster. A plan comes
// in as people write it (Go durations, steps or a step weight and a maximum) and leaves as
// the domain's RolloutPlan (lib/mesh/rollout.ts), whose route-dependent checks (planProblems)
// run against the VirtualService afterwards. Messages name the field through the issue path:
// lib/http/responses.ts writes them as "plan.steps: must increase: 10 comes after 25".
import { z } from 'zod';
import { durationNanos, NANOS_PER, parseGoDuration } from '@/lib/mesh/duration';
import { gatesCanFail, MAX_ROLLOUT_STEPS, ROLLOUT_CONTROLS, sameDestination, stepsFrom, stepsProblem, type RolloutPlan } from '@/lib/mesh/rollout';
import { indexParam, namespaceName, objectName } from './param-schemas';
import { reason } from './traffic-schemas';

/** A strict object whose unknown keys are named with the ones it knows. */
function closed<T extends z.ZodRawShape>(shape: T, what: string) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')} (${what} has ${Object.keys(shape).join(', ')})`
        : undefined,
  });
}

/** The longest step, interval or window: a day. */
const MAX_DURATION = 24n * NANOS_PER.h;

/** A Go duration of whole seconds from 1s to 24h ("5m", "90s", "1h30m"); tests use seconds, production minutes. */
const goDuration = z.string().superRefine((text, ctx) => {
  const parsed = parseGoDuration(text.trim());
  if (!parsed.ok)
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (${parsed.detail}); write a number and a unit, such as 30s, 5m or 1h30m` });
  else if (parsed.nanos < NANOS_PER.s) ctx.addIssue({ code: 'custom', message: `must be at least 1s (got ${text})` });
  else if (parsed.nanos > MAX_DURATION) ctx.addIssue({ code: 'custom', message: `must be at most 24h (got ${text})` });
  else if (parsed.nanos % NANOS_PER.s !== 0n) ctx.addIssue({ code: 'custom', message: `must be whole seconds (got ${text})` });
});

const destinationRef = closed(
  { host: z.string().trim().min(1, 'give the host').max(253), subset: z.string().trim().min(1).max(63).optional() },
  'a destination',
);

const ratio = z.number().min(0, 'must be a ratio from 0 to 1 (0.05 is 5 %)').max(1, 'must be a ratio from 0 to 1 (0.05 is 5 %)');

const customGate = closed(
  {
    name: z.string().trim().min(1, 'give the gate a name').max(60),
    /** PromQL with $window, $namespace, $service, $candidate, $stable (see CustomGate). */
    query: z.string().trim().min(1, 'give the PromQL query').max(2000),
    max: z.number().optional(),
    min: z.number().optional(),
  },
  'a custom gate',
).superRefine((gate, ctx) => {
  if (gate.max === undefined && gate.min === undefined) ctx.addIssue({ code: 'custom', message: 'give a max or a min threshold' });
  else if (gate.max !== undefined && gate.min !== undefined && gate.min > gate.max)
    ctx.addIssue({ code: 'custom', path: ['min'], message: `is above max (${gate.max}): no value could pass` });
});

const gates = closed(
  {
    minRequests: z.int('must be a whole number').min(1, 'must be 1 or more').max(1_000_000_000).optional(),
    maxErrorRate: ratio.optional(),
    maxErrorRateIncrease: ratio.optional(),
    maxP99Ms: z.number().positive('must be a positive number of milliseconds').max(3_600_000).optional(),
    maxP99Ratio: z.number().min(1, "must be 1 or more (a multiple of the stable's P99)").max(1000).optional(),
    custom: z.array(customGate).max(10, 'at most 10 custom gates').optional(),
  },
  'gates',
).superRefine((value, ctx) => {
  (value.custom ?? []).forEach((gate, i) => {
    if (value.custom!.findIndex((other) => other.name === gate.name) < i)
      ctx.addIssue({ code: 'custom', path: ['custom', i, 'name'], message: `another custom gate is named "${gate.name}"` });
  });
});

/** What a plan shares with a preset (the mesh configuration's `rollouts.presets`): steps, times, gates, failure policy. */
export const planFields = {
  /** The candidate's weight at each step, e.g. [5, 10, 25, 50, 100]; or stepWeight and maxWeight. */
  steps: z.array(z.number()).max(MAX_ROLLOUT_STEPS, `a plan has at most ${MAX_ROLLOUT_STEPS} steps`).optional(),
  stepWeight: z.int('must be a whole number').min(1, 'must be 1 or more').max(100, 'must be 100 or less').optional(),
  maxWeight: z.int('must be a whole number').min(1, 'must be 1 or more').max(100, 'must be 100 or less').optional(),
  stepDuration: goDuration,
  interval: goDuration,
  window: goDuration,
  gates,
  maxFailedChecks: z.int('must be a whole number').min(1, 'must be 1 or more').max(100, 'must be 100 or less'),
};

type PlanFieldsInput = z.infer<z.ZodObject<typeof planFields>>;

/** The rules across planFields: steps or a step weight and a maximum, and a gate that can fail. */
export function checkPlanFields(plan: PlanFieldsInput, ctx: z.RefinementCtx) {
  const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
  if (plan.steps !== undefined && (plan.stepWeight !== undefined || plan.maxWeight !== undefined))
    issue('steps', 'give the steps or a stepWeight and a maxWeight, not both');
  else if (plan.steps !== undefined) {
    const problem = stepsProblem(plan.steps);
    if (problem) issue('steps', problem);
  } else if (plan.stepWeight === undefined && plan.maxWeight === undefined)
    issue('steps', 'give the steps (e.g. [5, 10, 25, 50, 100]) or a stepWeight and a maxWeight');
  else if (plan.maxWeight === undefined) issue('maxWeight', 'is needed with stepWeight (the last step)');
  else if (plan.stepWeight === undefined) issue('stepWeight', 'is needed with maxWeight (how much each step adds)');
  else if (plan.stepWeight > plan.maxWeight) issue('stepWeight', `must be at most maxWeight (${plan.maxWeight})`);
  else if (Math.floor(plan.maxWeight / plan.stepWeight) > MAX_ROLLOUT_STEPS)
    issue(
      'stepWeight',
      `${plan.stepWeight} up to ${plan.maxWeight} makes ${Math.floor(plan.maxWeight / plan.stepWeight)} steps; a plan has at most ${MAX_ROLLOUT_STEPS}`,
    );
  if (!gatesCanFail(plan.gates)) issue('gates', 'give a gate that can fail (an error rate, a P99 or a custom query): minimum requests only hold a step');
}

const seconds = (text: string) => Number(durationNanos(text)! / NANOS_PER.s);

/** planFields as the domain holds them: steps from stepWeight/maxWeight, durations in seconds. */
export function toPlanFields(
  input: PlanFieldsInput,
): Pick<RolloutPlan, 'steps' | 'stepSeconds' | 'intervalSeconds' | 'windowSeconds' | 'gates' | 'maxFailedChecks'> {
  return {
    steps: input.steps ?? stepsFrom(input.stepWeight!, input.maxWeight!),
    stepSeconds: seconds(input.stepDuration),
    intervalSeconds: seconds(input.interval),
    windowSeconds: seconds(input.window),
    gates: input.gates,
    maxFailedChecks: input.maxFailedChecks,
  };
}

/** The plan as the API takes it (POST /api/rollouts/{namespace}/{name}, `plan`). */
export const planInput = closed(
  {
    /** Index of the http route in spec.http. */
    route: z.int('must be a whole number').min(0, 'must be 0 or more').max(999),
    routeName: z.string().min(1).max(253).optional(),
    stable: destinationRef,
    candidate: destinationRef,
    ...planFields,
    preset: z.string().min(1).max(63).optional(),
  },
  'a plan',
).superRefine((plan, ctx) => {
  checkPlanFields(plan, ctx);
  if (sameDestination(plan.stable, plan.candidate)) ctx.addIssue({ code: 'custom', path: ['candidate'], message: 'must differ from the stable destination' });
});

export type RolloutPlanInput = z.infer<typeof planInput>;

/** The domain's plan from a valid input. */
export function toPlan(input: RolloutPlanInput): RolloutPlan {
  const ref = (r: RolloutPlanInput['stable']) => ({ host: r.host, ...(r.subset !== undefined ? { subset: r.subset } : {}) });
  return {
    route: input.route,
    ...(input.routeName !== undefined ? { routeName: input.routeName } : {}),
    stable: ref(input.stable),
    candidate: ref(input.candidate),
    ...toPlanFields(input),
    ...(input.preset !== undefined ? { preset: input.preset } : {}),
  };
}

const resourceVersion = z.string().min(1, 'is required: send the resourceVersion the change is based on');

/** POST /api/rollouts/{namespace}/{name}: start a rollout on the version the person saw. */
export const startBody = closed({ resourceVersion, reason, plan: planInput.transform(toPlan) }, 'a start');

/** POST /api/rollouts/{namespace}/{name}/{action}. */
export const controlBody = closed({ resourceVersion, reason }, 'a control');

export const rolloutParams = z.object({ namespace: namespaceName, name: objectName });

export const controlAction = z.enum(ROLLOUT_CONTROLS, { error: `must be one of ${ROLLOUT_CONTROLS.join(', ')}` });

export const controlParams = rolloutParams.extend({ action: controlAction });

/** `?step=N` of the series: an index into the plan's steps, as RolloutStepRecord.index (the final promotion is steps.length). */
export const seriesQuery = z.object({ step: indexParam(MAX_ROLLOUT_STEPS) });
