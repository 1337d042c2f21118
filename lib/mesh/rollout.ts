// Progressive delivery on a weighted VirtualService route: a plan moves traffic from a stable
// destination to a candidate in steps, and each step must pass its gates before the next.
// Everything a replica needs to carry a rollout on lives in one annotation on the
// VirtualService (ROLLOUT_ANNOTATION, JSON of RolloutState), so a restarted or new replica
// continues from the cluster. Pure: the model (its shapes and the light helpers the shell needs
// live in ./rollout-model, re-exported here), the annotation codec and the step arithmetic.
import type { Change } from '@/lib/audit/entry';
import type { Action } from '@/lib/auth/roles';
import { formatDuration, NANOS_PER } from './duration';
import { weightPatch, type JsonPatchOp } from './patches';
import { managedBy } from './ownership';
import type { Destination, HTTPRouteDestination, VirtualService } from './types';
import { effectiveWeights } from './weights';
import {
  destinationLabel,
  isActive,
  ROLLOUT_ANNOTATION,
  rolloutOf,
  type DestinationRef,
  type GateId,
  type GateMeasurement,
  type RolloutCheck,
  type RolloutControl,
  type RolloutEvent,
  type RolloutGates,
  type RolloutPhase,
  type RolloutPlan,
  type RolloutState,
  type RolloutStepRecord,
  type RolloutSummary,
} from './rollout-model';

export * from './rollout-model';

/** Kept under Kubernetes' 256 KiB for all annotations together, with room for the operator's own. */
export const MAX_ROLLOUT_ANNOTATION_BYTES = 96 * 1024;
/** A plan has at most this many steps. */
export const MAX_ROLLOUT_STEPS = 20;
/** Checks kept per step in the annotation (the newest); the charts read the rest from Prometheus. */
export const CHECKS_KEPT_PER_STEP = 12;
/** Timeline entries kept (the newest). */
export const EVENTS_KEPT = 60;
/** Holding checks in a row a step needs before it may pause for silence (one late or unlucky check is no silence). */
export const MIN_HELD_CHECKS = 3;

/**
 * How long a step may go without evidence (checks that only hold: no data, too few requests,
 * Prometheus down) before the rollout pauses itself: three times the step's time, so a step
 * has overrun twice over before anyone is asked to look. The rollout never rolls back for it:
 * missing data is not bad data (a Prometheus outage must not undo a healthy canary).
 */
export const holdLimitSeconds = (plan: Pick<RolloutPlan, 'stepSeconds'>) => 3 * plan.stepSeconds;

/** JSON pointer of an annotation key (`/` and `~` escaped). */
export const annotationPointer = (key: string) => `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** The annotation's text for a state. */
export const encodeRollout = (state: RolloutState) => JSON.stringify(state);

/** Whether a route destination is the one a ref names (a host-only ref matches only a destination without subset). */
export const sameDestination = (destination: Destination, ref: DestinationRef) =>
  destination.host === ref.host && (destination.subset ?? undefined) === (ref.subset ?? undefined);

/**
 * The route's full weight list with the candidate at `candidateWeight`, the stable at the rest
 * and every other destination at 0 (a plan needs the others at 0 when it starts).
 */
export function weightsAt(entries: HTTPRouteDestination[], plan: Pick<RolloutPlan, 'stable' | 'candidate'>, candidateWeight: number): number[] {
  return entries.map((entry) =>
    sameDestination(entry.destination, plan.candidate) ? candidateWeight : sameDestination(entry.destination, plan.stable) ? 100 - candidateWeight : 0,
  );
}

/** The candidate's weight at a step index (plan.steps.length: the final 100). */
export const stepWeight = (plan: Pick<RolloutPlan, 'steps'>, step: number) => (step >= plan.steps.length ? 100 : plan.steps[step]!);

/** Steps from a step weight and a maximum, as Flagger's stepWeight/maxWeight: 10 up to 50 → 10, 20, 30, 40, 50. */
export function stepsFrom(stepWeightValue: number, maxWeight: number): number[] {
  const steps: number[] = [];
  for (let w = stepWeightValue; w <= maxWeight && steps.length < MAX_ROLLOUT_STEPS; w += stepWeightValue) steps.push(w);
  return steps;
}

/** A plan template: everything but the route and its destinations. */
export type RolloutPreset = Omit<RolloutPlan, 'route' | 'routeName' | 'stable' | 'candidate' | 'preset'> & {
  name: string;
  description: string;
  /** Services (short names, "namespace/name" or hosts) the preset is meant for; offered first for them. */
  services?: string[];
};

/** Presets every mesh has; a mesh adds its own in its configuration (`rollouts.presets`). */
export const BUILTIN_PRESETS: RolloutPreset[] = [
  {
    name: 'standard',
    description: '5 → 100 % in five steps of 5 minutes; rolls back after 2 failed checks (5xx above 5 % or 1 point over stable, P99 over 1.5× stable)',
    steps: [5, 10, 25, 50, 100],
    stepSeconds: 300,
    intervalSeconds: 60,
    windowSeconds: 120,
    gates: { minRequests: 50, maxErrorRate: 0.05, maxErrorRateIncrease: 0.01, maxP99Ratio: 1.5 },
    maxFailedChecks: 2,
  },
  {
    name: 'cautious',
    description: '1 → 100 % in seven steps of 10 minutes; rolls back at the first failed check (5xx above 1 %, P99 over 1.2× stable)',
    steps: [1, 5, 10, 25, 50, 75, 100],
    stepSeconds: 600,
    intervalSeconds: 60,
    windowSeconds: 300,
    gates: { minRequests: 200, maxErrorRate: 0.01, maxErrorRateIncrease: 0.005, maxP99Ratio: 1.2 },
    maxFailedChecks: 1,
  },
  {
    name: 'quick',
    description: '10 → 100 % in three steps of 2 minutes, for low-risk changes; rolls back after 2 failed checks (5xx above 5 %)',
    steps: [10, 50, 100],
    stepSeconds: 120,
    intervalSeconds: 30,
    windowSeconds: 60,
    gates: { minRequests: 20, maxErrorRate: 0.05 },
    maxFailedChecks: 2,
  },
];

// ---------------------------------------------------------------------------------------------
// Gates: names, units, verdicts and how a measurement reads.

/** Who the controller's own transitions are by (the audit actor's user). */
export const CONTROLLER_ACTOR = 'meshdeck (rollout controller)';

export type GateUnit = 'ratio' | 'ms' | 'requests' | 'value';

const GATE_INFO: Record<Exclude<GateId, `custom:${string}`>, { label: string; unit: GateUnit }> = {
  minRequests: { label: 'Requests', unit: 'requests' },
  errorRate: { label: 'Error rate', unit: 'ratio' },
  errorRateIncrease: { label: 'Error rate over stable', unit: 'ratio' },
  p99: { label: 'P99', unit: 'ms' },
  p99Ratio: { label: 'P99 × stable', unit: 'value' },
};

/** A gate's label (charts are named "{label} at step N") and the unit of its values. */
export function gateInfo(gate: GateId): { label: string; unit: GateUnit } {
  return gate.startsWith('custom:') ? { label: gate.slice('custom:'.length), unit: 'value' } : GATE_INFO[gate as keyof typeof GATE_INFO];
}

/** What a plan's gates check: one line per threshold (a custom gate with max and min gives two). */
export function gateThresholds(gates: RolloutGates): { gate: GateId; threshold: number; bound: 'max' | 'min' }[] {
  const fixed: [GateId, number | undefined, 'max' | 'min'][] = [
    ['minRequests', gates.minRequests, 'min'],
    ['errorRate', gates.maxErrorRate, 'max'],
    ['errorRateIncrease', gates.maxErrorRateIncrease, 'max'],
    ['p99', gates.maxP99Ms, 'max'],
    ['p99Ratio', gates.maxP99Ratio, 'max'],
  ];
  return [
    ...fixed.filter(([, threshold]) => threshold !== undefined).map(([gate, threshold, bound]) => ({ gate, threshold: threshold!, bound })),
    ...(gates.custom ?? []).flatMap((custom) =>
      (['max', 'min'] as const)
        .filter((bound) => custom[bound] !== undefined)
        .map((bound) => ({ gate: `custom:${custom.name}` as GateId, threshold: custom[bound]!, bound })),
    ),
  ];
}

/** Whether the gates can fail a check at all (minimum requests only ever hold a step). */
export const gatesCanFail = (gates: RolloutGates) => gateThresholds(gates).some((t) => t.gate !== 'minRequests');

/**
 * One gate's verdict: no sample holds (no traffic yet, or Prometheus had nothing); too few
 * requests hold (the step waits for evidence); any other threshold crossed fails.
 */
export function gateVerdict(gate: GateId, value: number | null, threshold: number, bound: 'max' | 'min'): GateMeasurement['verdict'] {
  if (value === null || Number.isNaN(value)) return 'hold';
  const within = bound === 'max' ? value <= threshold : value >= threshold;
  return within ? 'pass' : gate === 'minRequests' ? 'hold' : 'fail';
}

/** A check's verdict: any failed gate fails it; else any holding gate holds it; no measurement holds. */
export function verdictOf(measurements: GateMeasurement[]): RolloutCheck['verdict'] {
  if (measurements.some((m) => m.verdict === 'fail')) return 'fail';
  return measurements.length === 0 || measurements.some((m) => m.verdict === 'hold') ? 'hold' : 'pass';
}

/** Gates that compare the candidate with the stable: they need the stable's traffic. */
const RELATIVE_GATES: readonly GateId[] = ['errorRateIncrease', 'p99Ratio'];

/**
 * The verdict a check counts with at a step. Where the stable gets no traffic (the candidate at
 * 100 %), gates relative to the stable have nothing to compare with once the window holds no
 * stable requests: their missing data does not hold that step (the other gates still judge it).
 */
export function stepVerdict(plan: Pick<RolloutPlan, 'steps'>, step: number, check: Pick<RolloutCheck, 'verdict' | 'measurements'>): RolloutCheck['verdict'] {
  if (check.verdict !== 'hold' || stepWeight(plan, step) < 100 || check.measurements.length === 0) return check.verdict;
  return verdictOf(check.measurements.filter((m) => !(RELATIVE_GATES.includes(m.gate) && m.verdict === 'hold')));
}

const number = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) >= 10 ? 1 : 2 });

/** A gate's value as people read it: "21.3 %", "1.5 points", "812 ms", "1.8×", "42". */
export function formatGateValue(gate: GateId, value: number): string {
  if (gate === 'errorRate') return `${number(value * 100)} %`;
  if (gate === 'errorRateIncrease') return `${number(value * 100)} ${Math.abs(value * 100) === 1 ? 'point' : 'points'}`;
  if (gate === 'p99') return `${number(value)} ms`;
  if (gate === 'p99Ratio') return `${number(value)}×`;
  return number(value);
}

/** "error rate 21.3 % > 5 %", "requests 12 < 50", "P99: no data". */
export function describeMeasurement(m: Pick<GateMeasurement, 'gate' | 'value' | 'threshold' | 'bound'>): string {
  const { label } = gateInfo(m.gate);
  // "Error rate" reads "error rate" mid-sentence; "P99" and custom names stay as they are.
  const name = m.gate.startsWith('custom:') || /^[A-Z]{2}|^P\d/.test(label) ? label : label[0]!.toLowerCase() + label.slice(1);
  if (m.value === null) return `${name}: no data`;
  const within = m.bound === 'max' ? m.value <= m.threshold : m.value >= m.threshold;
  const sign = m.bound === 'max' ? (within ? '≤' : '>') : within ? '≥' : '<';
  return `${name} ${formatGateValue(m.gate, m.value)} ${sign} ${formatGateValue(m.gate, m.threshold)}`;
}

// ---------------------------------------------------------------------------------------------
// Plans checked against the VirtualService.

/** A reason a plan cannot start, naming the API's field (`plan.steps`) or CONFLICT_FIELD. */
export interface PlanProblem {
  field: string;
  message: string;
}

/**
 * The field of problems that are the object's state, not the plan's (another controller owns
 * it, a rollout is active, an unreadable annotation): the API answers those with 409, the rest 400.
 */
export const CONFLICT_FIELD = 'virtualService';

/** Why a step list is not a plan's: undefined when it is whole percentages 1..100, strictly increasing. */
export function stepsProblem(steps: number[]): string | undefined {
  if (steps.length === 0) return 'needs at least one step';
  if (steps.length > MAX_ROLLOUT_STEPS) return `has ${steps.length} steps; a plan has at most ${MAX_ROLLOUT_STEPS}`;
  const odd = steps.find((w) => !Number.isInteger(w) || w < 1 || w > 100);
  if (odd !== undefined) return `${odd} is not a whole percentage from 1 to 100`;
  const drop = steps.findIndex((w, i) => i > 0 && w <= steps[i - 1]!);
  if (drop > 0) return `must increase: ${steps[drop]} comes after ${steps[drop - 1]}`;
  return undefined;
}

/** What is wrong with a plan on its own (the API's schema says the same about its input). */
export function planShapeProblems(plan: RolloutPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const steps = stepsProblem(plan.steps);
  if (steps) problems.push({ field: 'plan.steps', message: steps });
  const durations: [string, number][] = [
    ['plan.stepDuration', plan.stepSeconds],
    ['plan.interval', plan.intervalSeconds],
    ['plan.window', plan.windowSeconds],
  ];
  for (const [field, seconds] of durations) if (!(seconds >= 1)) problems.push({ field, message: 'must be at least 1s' });
  if (!Number.isInteger(plan.maxFailedChecks) || plan.maxFailedChecks < 1)
    problems.push({ field: 'plan.maxFailedChecks', message: 'must be a whole number, 1 or more' });
  if (!gatesCanFail(plan.gates))
    problems.push({ field: 'plan.gates', message: 'needs a gate that can fail (an error rate, a P99 or a custom query): minimum requests only hold a step' });
  return problems;
}

const refText = (ref: DestinationRef) => (ref.subset !== undefined ? `subset ${ref.subset} of ${ref.host}` : ref.host);
const routeText = (vs: VirtualService, index: number) => {
  const name = vs.spec.http?.[index]?.name;
  return `route ${index + 1}${name ? ` (${name})` : ''} of ${vs.metadata.name}`;
};

/**
 * Why the plan cannot start on this VirtualService: the route must exist (and still carry the
 * plan's name), have both destinations and nothing else with weight, stable ≠ candidate; the
 * object must not be another controller's nor carry an active rollout. Empty: it can start.
 */
export function planProblems(vs: VirtualService, plan: RolloutPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const owner = managedBy(vs);
  if (owner) add(CONFLICT_FIELD, `${owner}; Meshdeck runs no rollout on it`);
  const existing = rolloutOf(vs);
  if (existing && 'problem' in existing) add(CONFLICT_FIELD, `${existing.problem}; remove it before starting a rollout`);
  else if (existing && isActive(existing.state))
    add(
      CONFLICT_FIELD,
      `a rollout is already ${existing.state.phase.toLowerCase()} on ${vs.metadata.name} (${stepText(existing.state.plan, existing.state.step)}): abort it first`,
    );
  problems.push(...planShapeProblems(plan));
  const route = vs.spec.http?.[plan.route];
  if (!route) {
    add('plan.route', `${vs.metadata.name} has no http route ${plan.route + 1} (it has ${vs.spec.http?.length ?? 0})`);
    return problems;
  }
  if (plan.routeName !== undefined && route.name !== plan.routeName)
    add(
      'plan.routeName',
      `${routeText(vs, plan.route)} is named ${route.name ? `"${route.name}"` : 'nothing'}, not "${plan.routeName}": reload and pick the route again`,
    );
  const entries = route.route ?? [];
  if (entries.length < 2)
    add(
      'plan.route',
      `${routeText(vs, plan.route)} has ${entries.length === 1 ? 'one destination' : 'no destinations'}: a rollout needs a route with the stable and the candidate`,
    );
  const weights = effectiveWeights(entries.map((e) => e.weight));
  const present = entries.map((e) => destinationLabel(e.destination)).join(', ') || 'no destinations';
  for (const [field, ref] of [
    ['plan.stable', plan.stable],
    ['plan.candidate', plan.candidate],
  ] as const) {
    if (!entries.some((e) => sameDestination(e.destination, ref)))
      add(field, `${routeText(vs, plan.route)} has no destination ${refText(ref)} (it has ${present})`);
  }
  if (sameDestination(plan.stable, plan.candidate)) add('plan.candidate', `must differ from the stable destination (${refText(plan.stable)})`);
  entries.forEach((entry, i) => {
    if (weights[i]! > 0 && !sameDestination(entry.destination, plan.stable) && !sameDestination(entry.destination, plan.candidate))
      add(
        'plan.route',
        `${refText(entry.destination)} has ${weights[i]} % of ${routeText(vs, plan.route)}: a rollout moves traffic between the stable and the candidate only; set the others to 0 first`,
      );
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Transitions: each one is the next state, and the route's weights when they change.

/** What one step of a rollout does: the state to write, the route's weights (only when they change), and a line for the audit. */
export interface Transition {
  state: RolloutState;
  /** The route's weights in destination order, when the transition sets them. */
  weights?: number[];
  /** 'check': a passing or holding check that moved nothing; it is kept in the step's checks, not as an event. */
  action: RolloutEvent['action'] | 'check';
  summary: string;
}

/** Who asks for a transition, why and when. */
export interface RolloutActor {
  by: string;
  reason: string;
  now: Date;
}

const iso = (date: Date) => date.toISOString();

/** "step 2 of 5 (10 %)", or without the count "step 2 (10 %)"; the final promotion is "promotion (100 %)". */
export function stepText(plan: Pick<RolloutPlan, 'steps'>, step: number, withCount = true): string {
  if (step >= plan.steps.length) return 'promotion (100 %)';
  return `step ${step + 1}${withCount ? ` of ${plan.steps.length}` : ''} (${plan.steps[step]} %)`;
}

/** "canary 10 %, stable 90 %". */
const splitText = (plan: Pick<RolloutPlan, 'stable' | 'candidate'>, candidateWeight: number) =>
  `${destinationLabel(plan.candidate)} ${candidateWeight} %, ${destinationLabel(plan.stable)} ${100 - candidateWeight} %`;

/** The route's weights with the candidate at `candidateWeight`, in the order the rollout recorded. */
const routeWeights = (state: Pick<RolloutState, 'destinations' | 'plan'>, candidateWeight: number) =>
  weightsAt(
    state.destinations.map((destination) => ({ destination })),
    state.plan,
    candidateWeight,
  );

/** The candidate's weight as the rollout last wrote it. */
export function candidateWeight(state: Pick<RolloutState, 'destinations' | 'plan' | 'expectedWeights'>): number {
  return state.expectedWeights[state.destinations.findIndex((d) => sameDestination(d, state.plan.candidate))] ?? 0;
}

const sameWeights = (a: number[], b: number[]) => a.length === b.length && a.every((w, i) => w === b[i]);

const withEvent = (state: RolloutState, event: Omit<RolloutEvent, 'at'>, now: Date): RolloutState => ({
  ...state,
  events: [...state.events, { at: iso(now), ...event }].slice(-EVENTS_KEPT),
});

/** The history with its current (last) step ended, unless it ended already. */
function endStep(history: RolloutStepRecord[], outcome: NonNullable<RolloutStepRecord['outcome']>, now: Date): RolloutStepRecord[] {
  const last = history.at(-1);
  if (!last || last.endedAt) return history;
  return [...history.slice(0, -1), { ...last, outcome, endedAt: iso(now) }];
}

const newStep = (index: number, weight: number, now: Date): RolloutStepRecord => ({
  index,
  weight,
  startedAt: iso(now),
  checks: [],
  checkCount: 0,
  failedCount: 0,
});

/** Clears the wait of a step when it (re)starts or the rollout ends: a pause's reason and author, and the run of holding checks. */
function unpaused(state: RolloutState): RolloutState {
  const { pausedReason: _reason, pausedBy: _by, holding: _holding, ...rest } = state;
  return rest;
}

/** Clears the run of holding checks: a check passed or failed. */
function withEvidence(state: RolloutState): RolloutState {
  const { holding: _holding, ...rest } = state;
  return rest;
}

/**
 * Starts a rollout at its first step. Throws the plan's problems (planProblems) joined, so a
 * caller that skipped them cannot write a plan that does not fit the route.
 */
export function startRollout(vs: VirtualService, plan: RolloutPlan, actor: RolloutActor): Transition {
  const problems = planProblems(vs, plan);
  if (problems.length) throw new Error(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  const route = vs.spec.http![plan.route]!;
  const destinations = route.route!.map(({ destination }) => ({
    host: destination.host,
    ...(destination.subset !== undefined ? { subset: destination.subset } : {}),
  }));
  const fullPlan: RolloutPlan = { ...plan, ...(route.name !== undefined ? { routeName: route.name } : {}) };
  const weight = plan.steps[0]!;
  const weights = routeWeights({ destinations, plan }, weight);
  const message = `Started: ${splitText(plan, weight)} at ${stepText(plan, 0)}. ${actor.reason}`;
  const state: RolloutState = {
    version: 1,
    plan: fullPlan,
    phase: 'Progressing',
    step: 0,
    startedAt: iso(actor.now),
    startedBy: actor.by,
    reason: actor.reason,
    stepStartedAt: iso(actor.now),
    failedChecks: 0,
    expectedWeights: weights,
    destinations,
    history: [newStep(0, weight, actor.now)],
    events: [{ at: iso(actor.now), by: actor.by, action: 'start', message }],
  };
  return { state, weights, action: 'start', summary: message };
}

/** When the next check is due: each interval, and at the step's end so a step never overstays by an interval. */
export function nextCheckAt(state: RolloutState): Date | undefined {
  if (state.phase !== 'Progressing') return undefined;
  const stepStart = Date.parse(state.stepStartedAt);
  const last = Math.max(stepStart, state.lastCheckAt ? Date.parse(state.lastCheckAt) : stepStart);
  const byInterval = last + state.plan.intervalSeconds * 1000;
  const stepEnd = stepStart + state.plan.stepSeconds * 1000;
  return new Date(last < stepEnd ? Math.min(byInterval, stepEnd) : byInterval);
}

/** Whether the gates should be measured now (only a progressing rollout is checked). */
export function checkDue(state: RolloutState, now: Date): boolean {
  const next = nextCheckAt(state);
  return next !== undefined && now.getTime() >= next.getTime();
}

const weightsText = (destinations: DestinationRef[], weights: number[]) => destinations.map((d, i) => `${destinationLabel(d)} ${weights[i]} %`).join(' / ');

/**
 * Why the route is no longer what the rollout wrote (someone else changed it), or undefined:
 * the route gone or renamed, other destinations, or other weights than expectedWeights.
 */
export function foreignChange(state: RolloutState, vs: VirtualService): string | undefined {
  const { plan } = state;
  const route = vs.spec.http?.[plan.route];
  if (!route) return `route ${plan.route + 1}${plan.routeName ? ` (${plan.routeName})` : ''} of ${vs.metadata.name} no longer exists`;
  if (plan.routeName !== undefined && route.name !== plan.routeName)
    return `route ${plan.route + 1} of ${vs.metadata.name} is now ${route.name ? `named "${route.name}"` : 'unnamed'}, not "${plan.routeName}"`;
  const entries = route.route ?? [];
  const destinations = entries.map((e) => e.destination);
  if (destinations.length !== state.destinations.length || destinations.some((d, i) => !sameDestination(d, state.destinations[i]!)))
    return `the destinations of ${routeText(vs, plan.route)} changed: expected ${state.destinations.map(destinationLabel).join(', ')}, found ${destinations.map(destinationLabel).join(', ') || 'none'}`;
  const weights = effectiveWeights(entries.map((e) => e.weight));
  if (!sameWeights(weights, state.expectedWeights))
    return `the weights of ${routeText(vs, plan.route)} were changed outside the rollout: expected ${weightsText(state.destinations, state.expectedWeights)}, found ${weightsText(state.destinations, weights)}`;
  return undefined;
}

/** Ends a rollout at candidate 0: a rollback (the gates failed) or an abort (someone asked). */
function toStable(state: RolloutState, phase: 'RolledBack' | 'Aborted', endReason: string, event: Omit<RolloutEvent, 'at'>, now: Date): Transition {
  const weights = routeWeights(state, 0);
  const ended: RolloutState = {
    ...unpaused(state),
    phase,
    expectedWeights: weights,
    endedAt: iso(now),
    endReason,
    history: endStep(state.history, phase === 'RolledBack' ? 'failed' : 'aborted', now),
  };
  return { state: withEvent(ended, event, now), weights, action: event.action, summary: event.message };
}

/**
 * Promotes: the candidate at 100 %. A record for the final 100 % joins the history when the
 * last weight was lower; `force` returns the weights even when they do not change (an
 * operator's promote also restores a route someone else changed while it was paused).
 */
function promote(state: RolloutState, outcome: 'passed' | 'skipped' | 'promoted', event: Omit<RolloutEvent, 'at'>, now: Date, force: boolean): Transition {
  const weights = routeWeights(state, 100);
  const closed = endStep(state.history, outcome, now);
  const history =
    closed.at(-1)?.weight === 100 ? closed : [...closed, { ...newStep(state.plan.steps.length, 100, now), endedAt: iso(now), outcome: 'promoted' as const }];
  const promoted: RolloutState = {
    ...unpaused(state),
    phase: 'Promoted',
    step: state.plan.steps.length,
    failedChecks: 0,
    expectedWeights: weights,
    endedAt: iso(now),
    endReason: event.message,
    history,
  };
  const changed = force || !sameWeights(weights, state.expectedWeights);
  return { state: withEvent(promoted, event, now), ...(changed ? { weights } : {}), action: event.action, summary: event.message };
}

/** Moves to the next step (or promotes after the last), ending the current one with `outcome`. */
function nextStep(state: RolloutState, outcome: 'passed' | 'skipped', by: string, why: string, now: Date): Transition {
  const { plan } = state;
  const next = state.step + 1;
  if (next >= plan.steps.length) {
    const message =
      `Promoted: ${destinationLabel(plan.candidate)} at 100 % after ${stepText(plan, state.step)} ${outcome === 'passed' ? 'passed' : 'was skipped'}. ${why}`.trim();
    return promote(state, outcome, { by, action: outcome === 'passed' ? 'promote' : 'skip', message }, now, outcome === 'skipped');
  }
  const weight = plan.steps[next]!;
  const weights = routeWeights(state, weight);
  const message =
    outcome === 'passed'
      ? `${capitalize(stepText(plan, state.step))} passed: ${splitText(plan, weight)} at ${stepText(plan, next)}`
      : `Skipped ${stepText(plan, state.step)}: ${splitText(plan, weight)} at ${stepText(plan, next)}. ${why}`;
  const moved: RolloutState = {
    ...unpaused(state),
    phase: 'Progressing',
    step: next,
    stepStartedAt: iso(now),
    failedChecks: 0,
    expectedWeights: weights,
    history: [...endStep(state.history, outcome, now), newStep(next, weight, now)],
  };
  const action = outcome === 'passed' ? 'advance' : 'skip';
  return { state: withEvent(moved, { by, action, message }, now), weights, action, summary: message };
}

const capitalize = (text: string) => text[0]!.toUpperCase() + text.slice(1);

/** The current step's record with the check added (the newest CHECKS_KEPT_PER_STEP kept). */
function recordCheck(history: RolloutStepRecord[], check: RolloutCheck): RolloutStepRecord[] {
  const last = history.at(-1)!;
  return [
    ...history.slice(0, -1),
    {
      ...last,
      checks: [...last.checks, check].slice(-CHECKS_KEPT_PER_STEP),
      checkCount: last.checkCount + 1,
      failedCount: last.failedCount + (check.verdict === 'fail' ? 1 : 0),
    },
  ];
}

/** What a check's non-passing gates say: "error rate 21.3 % > 5 %, P99: no data". */
function checkText(check: RolloutCheck, verdict: 'fail' | 'hold'): string {
  const gates = check.measurements.filter((m) => m.verdict === verdict).map(describeMeasurement);
  return [...gates, ...(check.error ? [check.error] : [])].join(', ') || (verdict === 'fail' ? 'a gate failed' : 'no measurement yet');
}

/** "15m", "1h30m": a measured time in whole seconds, as plans write durations. */
const elapsedText = (ms: number) => formatDuration(BigInt(Math.max(0, Math.round(ms / 1000))) * NANOS_PER.s);

/**
 * A holding check: it moves no weight and counts no failure. Once the step has had no evidence
 * for holdLimitSeconds over at least MIN_HELD_CHECKS holding checks, the rollout pauses itself
 * saying which gates had nothing and for how long; it stays at the step's weights.
 */
function held(state: RolloutState, recorded: RolloutState, check: RolloutCheck, now: Date): Transition {
  const { plan } = state;
  // The run begins at the last evidence: the previous check when it was at this step (and not
  // holding, or the run would exist), else the step's start.
  const since = state.holding?.since ?? iso(new Date(Math.max(Date.parse(state.stepStartedAt), state.lastCheckAt ? Date.parse(state.lastCheckAt) : 0)));
  const holding = { since, checks: (state.holding?.checks ?? 0) + 1 };
  const silentMs = now.getTime() - Date.parse(since);
  const gates = checkText(check, 'hold');
  const waiting: RolloutState = { ...recorded, holding };
  if (holding.checks < MIN_HELD_CHECKS || silentMs < holdLimitSeconds(plan) * 1000)
    return { state: waiting, action: 'check', summary: `Check held at ${stepText(plan, state.step, false)}: ${gates}` };
  const fewRequests = check.measurements.some((m) => m.gate === 'minRequests' && m.verdict === 'hold');
  const resumeWhen = check.error
    ? 'once the gates can be measured again'
    : `once the candidate receives traffic${fewRequests ? ', or start again with fewer minimum requests' : ''}`;
  const reason = `no evidence for ${elapsedText(silentMs)} (${holding.checks} checks held: ${gates}); nothing was rolled back: resume ${resumeWhen}`;
  const message = `Paused at ${stepText(plan, state.step)}: ${reason}`;
  const paused: RolloutState = { ...waiting, phase: 'Paused', pausedReason: reason, pausedBy: CONTROLLER_ACTOR };
  return { state: withEvent(paused, { by: CONTROLLER_ACTOR, action: 'pause', message }, now), action: 'pause', summary: message };
}

/**
 * Records a check at the current step. A failed check counts (failedChecks + 1) and at
 * maxFailedChecks in a row rolls back to the stable; a holding check moves nothing and counts
 * nothing, but a step that only holds for holdLimitSeconds pauses (see held); a passing one
 * resets the count and, once the step's time is up, moves to the next step (or promotes after
 * the last). At the 100 % step, gates relative to the stable do not hold it (stepVerdict).
 */
export function afterCheck(state: RolloutState, measured: RolloutCheck, now: Date): Transition {
  if (state.phase !== 'Progressing') throw new Error(`The rollout is ${phaseText(state.phase)}: checks count only while it progresses`);
  const { plan } = state;
  const check = { ...measured, verdict: stepVerdict(plan, state.step, measured) };
  const checked: RolloutState = { ...state, lastCheckAt: iso(now), history: recordCheck(state.history, check) };
  if (check.verdict === 'hold') return held(state, checked, check, now);
  const recorded = withEvidence(checked);
  const where = stepText(plan, state.step, false);
  if (check.verdict === 'fail') {
    const failedChecks = state.failedChecks + 1;
    const failing = `${checkText(check, 'fail')} at ${where}`;
    const counted = { ...recorded, failedChecks };
    if (failedChecks >= plan.maxFailedChecks) {
      const message = `Rolled back to ${destinationLabel(plan.stable)}: ${failing}${plan.maxFailedChecks > 1 ? ` (${failedChecks} failed checks in a row)` : ''}`;
      return toStable(counted, 'RolledBack', failing, { by: CONTROLLER_ACTOR, action: 'rollback', message }, now);
    }
    const message = `Check failed (${failedChecks} of ${plan.maxFailedChecks} before a rollback): ${failing}`;
    return { state: withEvent(counted, { by: CONTROLLER_ACTOR, action: 'check-failed', message }, now), action: 'check-failed', summary: message };
  }
  const passed = { ...recorded, failedChecks: 0 };
  if (now.getTime() - Date.parse(state.stepStartedAt) < plan.stepSeconds * 1000) return { state: passed, action: 'check', summary: `Check passed at ${where}` };
  return nextStep(passed, 'passed', CONTROLLER_ACTOR, '', now);
}

/** The role action each control needs: skip and promote bypass the evidence, so they are an admin's. */
export const CONTROL_PERMISSION: Record<RolloutControl, Extract<Action, 'rollout:write' | 'rollout:override'>> = {
  pause: 'rollout:write',
  resume: 'rollout:write',
  abort: 'rollout:write',
  acknowledge: 'rollout:write',
  skip: 'rollout:override',
  promote: 'rollout:override',
};

const PHASE_TEXT: Record<RolloutPhase, string> = {
  Progressing: 'progressing',
  Paused: 'paused',
  Promoted: 'promoted',
  RolledBack: 'rolled back',
  Aborted: 'aborted',
};
const phaseText = (phase: RolloutPhase) => PHASE_TEXT[phase];

/**
 * Why a control cannot apply in the rollout's phase, or undefined when it can: pause a
 * progressing rollout; resume a paused one; abort, skip or promote an active one; acknowledge
 * a rollback (only a rollback is announced until acknowledged: an abort was someone's choice).
 */
export function controlRefusal(state: RolloutState, action: RolloutControl): string | undefined {
  const phase = phaseText(state.phase);
  if (action === 'acknowledge') {
    if (state.phase !== 'RolledBack') return `Only a rollback needs acknowledging; this rollout is ${phase}`;
    return state.acknowledged ? `The rollback was acknowledged already, by ${state.acknowledged.by} at ${state.acknowledged.at}` : undefined;
  }
  if (!isActive(state)) return `The rollout has ended (${phase}): there is nothing to ${action}`;
  if (action === 'pause' && state.phase === 'Paused') return 'The rollout is paused already';
  if (action === 'resume' && state.phase !== 'Paused') return 'The rollout is not paused: it is progressing';
  return undefined;
}

/**
 * An operator's control. Throws an Error saying why when the phase does not allow it (see
 * controlRefusal). Resume puts the current step's weights back (overwriting what someone else
 * set while it was paused) and restarts the step's clock; skip moves to the next step now
 * (promoting after the last; from a pause it also resumes); promote puts the candidate at 100 %
 * now; abort puts the stable back at 100 %.
 */
export function control(state: RolloutState, action: RolloutControl, actor: RolloutActor): Transition {
  const refusal = controlRefusal(state, action);
  if (refusal) throw new Error(refusal);
  const { plan } = state;
  const { by, reason, now } = actor;
  const where = stepText(plan, state.step);
  switch (action) {
    case 'pause': {
      const message = `Paused at ${where}: ${reason}`;
      const paused: RolloutState = { ...state, phase: 'Paused', pausedReason: reason, pausedBy: by };
      return { state: withEvent(paused, { by, action, message }, now), action, summary: message };
    }
    case 'resume': {
      const weight = stepWeight(plan, state.step);
      const weights = routeWeights(state, weight);
      const message = `Resumed ${where} with its clock restarted: ${splitText(plan, weight)}. ${reason}`;
      const resumed: RolloutState = { ...unpaused(state), phase: 'Progressing', stepStartedAt: iso(now), failedChecks: 0, expectedWeights: weights };
      return { state: withEvent(resumed, { by, action, message }, now), weights, action, summary: message };
    }
    case 'abort': {
      const message = `Aborted at ${where}: ${splitText(plan, 0)}. ${reason}`;
      return toStable(state, 'Aborted', `aborted by ${by}: ${reason}`, { by, action, message }, now);
    }
    case 'skip':
      return nextStep(state, 'skipped', by, reason, now);
    case 'promote': {
      const message = `Promoted now at ${where}: ${destinationLabel(plan.candidate)} at 100 %. ${reason}`;
      return promote(state, 'promoted', { by, action, message }, now, true);
    }
    case 'acknowledge': {
      const message = `Rollback acknowledged: ${reason}`;
      const acknowledged: RolloutState = { ...state, acknowledged: { by, at: iso(now) } };
      return { state: withEvent(acknowledged, { by, action, message }, now), action, summary: message };
    }
  }
}

/** The controller found the route changed by someone else: the rollout pauses with that reason and writes no weights. */
export function pauseForForeignChange(state: RolloutState, reason: string, now: Date): Transition {
  if (state.phase !== 'Progressing') throw new Error(`The rollout is ${phaseText(state.phase)}: only a progressing rollout pauses for a change`);
  const message = `Paused at ${stepText(state.plan, state.step)}: ${reason}. Resume puts the step's weights back`;
  const paused: RolloutState = { ...state, phase: 'Paused', pausedReason: reason, pausedBy: CONTROLLER_ACTOR };
  return { state: withEvent(paused, { by: CONTROLLER_ACTOR, action: 'foreign-change', message }, now), action: 'foreign-change', summary: message };
}

// ---------------------------------------------------------------------------------------------
// Writing: one JSON patch per transition.

const byteLength = (text: string) => new TextEncoder().encode(text).length;

/** The oldest `count` checks dropped, earliest steps first (their counts stay: the charts have the rest). */
function dropOldestChecks(history: RolloutStepRecord[], count: number): RolloutStepRecord[] {
  let left = count;
  return history.map((record) => {
    const dropped = Math.min(left, record.checks.length);
    left -= dropped;
    return dropped ? { ...record, checks: record.checks.slice(dropped) } : record;
  });
}

/**
 * The state as the annotation keeps it: the newest CHECKS_KEPT_PER_STEP checks per step and
 * EVENTS_KEPT events, then, while over MAX_ROLLOUT_ANNOTATION_BYTES, the oldest checks and
 * then the oldest events dropped.
 */
export function fitAnnotation(state: RolloutState): RolloutState {
  let fitted: RolloutState = {
    ...state,
    history: state.history.map((r) => (r.checks.length > CHECKS_KEPT_PER_STEP ? { ...r, checks: r.checks.slice(-CHECKS_KEPT_PER_STEP) } : r)),
    events: state.events.slice(-EVENTS_KEPT),
  };
  for (let size = byteLength(encodeRollout(fitted)); size > MAX_ROLLOUT_ANNOTATION_BYTES; size = byteLength(encodeRollout(fitted))) {
    const checks = fitted.history.reduce((n, r) => n + r.checks.length, 0);
    // In proportion to the excess, so a large state shrinks in a few passes rather than one check at a time.
    const share = (size - MAX_ROLLOUT_ANNOTATION_BYTES) / size;
    if (checks > 0) fitted = { ...fitted, history: dropOldestChecks(fitted.history, Math.max(1, Math.ceil(checks * share))) };
    else if (fitted.events.length > 1) fitted = { ...fitted, events: fitted.events.slice(Math.max(1, Math.ceil(fitted.events.length * share))) };
    else break;
  }
  return fitted;
}

/**
 * The one JSON patch of a transition: the resourceVersion precondition, tests that the route
 * is still the one the rollout runs on (its name, each destination's host and subset), the
 * weights when the transition sets them (weightPatch), and the annotation.
 */
export function rolloutPatch(vs: VirtualService, transition: Transition): JsonPatchOp[] {
  const { route } = transition.state.plan;
  const entries = vs.spec.http?.[route]?.route;
  if (!entries) throw new RangeError(`route ${route + 1} does not exist in ${vs.metadata.name}`);
  const routeOps = transition.weights
    ? weightPatch(vs, route, transition.weights)
    : // The same preconditions without writing weights: the route's identity is still tested.
      weightPatch(vs, route, effectiveWeights(entries.map((e) => e.weight))).filter((op) => op.op === 'test' || op.path === '/metadata/resourceVersion');
  const text = encodeRollout(fitAnnotation(transition.state));
  const annotations = vs.metadata.annotations;
  const annotationOp: JsonPatchOp = annotations
    ? { op: annotations[ROLLOUT_ANNOTATION] === undefined ? 'add' : 'replace', path: annotationPointer(ROLLOUT_ANNOTATION), value: text }
    : { op: 'add', path: '/metadata/annotations', value: { [ROLLOUT_ANNOTATION]: text } };
  return [...routeOps, annotationOp];
}

/** The rollout as its audit entry says it: the headline, and who acknowledged a rollback. */
const auditedState = (state: RolloutState) => `${rolloutHeadline(state)}${state.acknowledged ? `, acknowledged by ${state.acknowledged.by}` : ''}`;

/**
 * What an audit entry keeps of a rollout write, in a person's terms: each route weight the write
 * changes, named by its destination ("canary weight: 10 → 25"), and the rollout before and after
 * in words ("Progressing, step 2 of 5 (10 %) → Progressing, step 3 of 5 (25 %)"). The annotation
 * itself (plan, history, checks: up to MAX_ROLLOUT_ANNOTATION_BYTES) stays on the object, at the
 * resourceVersion the entry records; copying it before and after into every entry made the trail
 * grow by tens of KiB a step. `vs` is the object the transition was decided from.
 */
export function rolloutAuditChanges(vs: VirtualService, transition: Transition): Change[] {
  const { route } = transition.state.plan;
  const entries = vs.spec.http?.[route]?.route ?? [];
  const before = effectiveWeights(entries.map((e) => e.weight));
  const weights: Change[] = (transition.weights ?? []).flatMap((weight, i) =>
    entries[i] && before[i] !== weight
      ? [
          {
            path: `/spec/http/${route}/route/${i}/weight`,
            label: `${destinationLabel(entries[i].destination)} weight`,
            before: { value: before[i]! },
            after: { value: weight },
          },
        ]
      : [],
  );
  const found = rolloutOf(vs);
  const previous: Change['before'] = !found
    ? { absent: true }
    : 'problem' in found
      ? { described: found.problem.slice(0, 500) }
      : { described: auditedState(found.state) };
  return [
    ...weights,
    { path: annotationPointer(ROLLOUT_ANNOTATION), label: 'rollout', before: previous, after: { described: auditedState(transition.state) } },
  ];
}

// ---------------------------------------------------------------------------------------------
// What lists show.

/** The newest check of any step. */
const lastCheckOf = (state: RolloutState) =>
  [...state.history]
    .reverse()
    .find((r) => r.checks.length)
    ?.checks.at(-1);

/** "Progressing, step 2 of 5 (10 %)", "Rolled back at step 2 of 5", "Promoted (canary 100 %)": a rollout in one line. */
export function rolloutHeadline(state: RolloutState): string {
  const stepCount = state.plan.steps.length;
  const step = Math.min(state.step + 1, stepCount);
  if (state.phase === 'Promoted') return `Promoted (${destinationLabel(state.plan.candidate)} 100 %)`;
  if (state.phase === 'RolledBack' || state.phase === 'Aborted') return `${capitalize(phaseText(state.phase))} at step ${step} of ${stepCount}`;
  return `${state.phase}, step ${step} of ${stepCount} (${candidateWeight(state)} %)`;
}

export function summarize(namespace: string, name: string, resourceVersion: string, state: RolloutState): RolloutSummary {
  const { plan } = state;
  const stepCount = plan.steps.length;
  const step = Math.min(state.step + 1, stepCount);
  const weight = candidateWeight(state);
  const headline = rolloutHeadline(state);
  const lastCheck = lastCheckOf(state);
  const next = nextCheckAt(state);
  return {
    namespace,
    name,
    resourceVersion,
    route: plan.route,
    ...(plan.routeName !== undefined ? { routeName: plan.routeName } : {}),
    phase: state.phase,
    step,
    stepCount,
    weight,
    stable: plan.stable,
    candidate: plan.candidate,
    startedAt: state.startedAt,
    startedBy: state.startedBy,
    stepStartedAt: state.stepStartedAt,
    ...(lastCheck ? { lastCheck } : {}),
    ...(next ? { nextCheckAt: iso(next) } : {}),
    ...(state.phase === 'Progressing' && state.holding ? { holdingSince: state.holding.since } : {}),
    ...(state.pausedReason !== undefined ? { pausedReason: state.pausedReason } : {}),
    ...(state.endedAt !== undefined ? { endedAt: state.endedAt } : {}),
    ...(state.endReason !== undefined ? { endReason: state.endReason } : {}),
    ...(state.acknowledged ? { acknowledged: state.acknowledged } : {}),
    ...(plan.preset !== undefined ? { preset: plan.preset } : {}),
    headline,
  };
}
