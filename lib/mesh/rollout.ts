// Progressive delivery on a weighted VirtualService route: a plan moves traffic from a stable
// destination to a candidate in steps, and each step must pass its gates before the next.
// Everything a replica needs to carry a rollout on lives in one annotation on the
// VirtualService (ROLLOUT_ANNOTATION, JSON of RolloutState), so a restarted or new replica
// continues from the cluster. Pure: the model, the annotation codec and the step arithmetic.
import type { Destination, HTTPRouteDestination, VirtualService } from './types';

/** The annotation holding a route's rollout (JSON of RolloutState). */
export const ROLLOUT_ANNOTATION = 'meshdeck.io/rollout';

/** Kept under Kubernetes' 256 KiB for all annotations together, with room for the operator's own. */
export const MAX_ROLLOUT_ANNOTATION_BYTES = 96 * 1024;
/** A plan has at most this many steps. */
export const MAX_ROLLOUT_STEPS = 20;
/** Checks kept per step in the annotation (the newest); the charts read the rest from Prometheus. */
export const CHECKS_KEPT_PER_STEP = 12;
/** Timeline entries kept (the newest). */
export const EVENTS_KEPT = 60;

/** One destination of the route, as Istio names it: a host and maybe a subset. */
export interface DestinationRef {
  host: string;
  subset?: string;
}

/** A custom gate: PromQL answering one sample, compared with a threshold (max, min or both). */
export interface CustomGate {
  name: string;
  /**
   * Placeholders replaced before the query runs: $window (the plan's window, e.g. 1m),
   * $namespace, $service (the destination service's short name), $candidate and $stable
   * (each destination's version label value, see the controller's resolution).
   */
  query: string;
  /** The check fails when the value is above this. */
  max?: number;
  /** The check fails when the value is below this. */
  min?: number;
}

/** The gates checked at each check interval. Every threshold is optional; a plan needs at least one failing gate. */
export interface RolloutGates {
  /** Requests the candidate must have served since its step began before the step may pass (it holds, never fails). */
  minRequests?: number;
  /** The candidate's 5xx share over the window, at most this (0..1). */
  maxErrorRate?: number;
  /** The candidate's 5xx share minus the stable's, at most this (0..1, absolute: 0.01 is one percentage point). */
  maxErrorRateIncrease?: number;
  /** The candidate's P99 over the window, at most this many milliseconds. */
  maxP99Ms?: number;
  /** The candidate's P99 at most this multiple of the stable's (e.g. 1.5). */
  maxP99Ratio?: number;
  custom?: CustomGate[];
}

/** What an operator asks for (normalized: durations in seconds). */
export interface RolloutPlan {
  /** Index of the http route in spec.http. */
  route: number;
  /** The route's name when it has one: a precondition that the index still means the same route. */
  routeName?: string;
  stable: DestinationRef;
  candidate: DestinationRef;
  /** The candidate's weight at each step, strictly increasing, 1..100. After the last step passes the candidate gets 100. */
  steps: number[];
  /** How long each step lasts at least (its gates must pass at its end). */
  stepSeconds: number;
  /** How often the gates are measured. */
  intervalSeconds: number;
  /** The PromQL rate window of the gates. */
  windowSeconds: number;
  gates: RolloutGates;
  /** Failure policy: this many failed checks in a row roll back to the stable destination. */
  maxFailedChecks: number;
  /** The preset the plan started from, for display. */
  preset?: string;
}

export type RolloutPhase = 'Progressing' | 'Paused' | 'Promoted' | 'RolledBack' | 'Aborted';

/** Phases in which the controller moves weights; the others are at rest. */
export const ACTIVE_PHASES: readonly RolloutPhase[] = ['Progressing', 'Paused'];

/** Gate ids: minRequests, errorRate, errorRateIncrease, p99, p99Ratio, and `custom:<name>`. */
export type GateId = 'minRequests' | 'errorRate' | 'errorRateIncrease' | 'p99' | 'p99Ratio' | `custom:${string}`;

export interface GateMeasurement {
  gate: GateId;
  /** null: Prometheus had no sample (no requests in the window, or the query matched nothing). */
  value: number | null;
  /** The stable's value for relative gates (error rate, P99). */
  stable?: number | null;
  threshold: number;
  /** `max`: the value must stay at or under the threshold; `min`: at or above. */
  bound: 'max' | 'min';
  /** pass; fail; or hold (no data, or too few requests: the step waits, the check does not count as failed). */
  verdict: 'pass' | 'fail' | 'hold';
}

export interface RolloutCheck {
  at: string;
  verdict: 'pass' | 'fail' | 'hold';
  measurements: GateMeasurement[];
  /** Why a check could not measure (Prometheus down): such a check holds and says so. */
  error?: string;
}

export interface RolloutStepRecord {
  /** Index into plan.steps; plan.steps.length for the final promotion to 100. */
  index: number;
  weight: number;
  startedAt: string;
  endedAt?: string;
  /** How the step ended. */
  outcome?: 'passed' | 'failed' | 'skipped' | 'promoted' | 'aborted';
  /** The newest CHECKS_KEPT_PER_STEP checks. */
  checks: RolloutCheck[];
  checkCount: number;
  failedCount: number;
}

/** One line of the timeline: who did what, when. */
export interface RolloutEvent {
  at: string;
  by: string;
  action: 'start' | 'advance' | 'check-failed' | 'rollback' | 'promote' | 'pause' | 'resume' | 'abort' | 'skip' | 'acknowledge' | 'foreign-change';
  message: string;
}

/** The annotation's content. */
export interface RolloutState {
  version: 1;
  plan: RolloutPlan;
  phase: RolloutPhase;
  /** The current step: an index into plan.steps, or plan.steps.length while promoting. */
  step: number;
  startedAt: string;
  startedBy: string;
  reason: string;
  stepStartedAt: string;
  /** Failed checks in a row at the current step. */
  failedChecks: number;
  lastCheckAt?: string;
  /**
   * The route's weights (in destination order) as the rollout last wrote them. Other weights
   * on the route mean someone else changed them: the rollout pauses and never overwrites.
   */
  expectedWeights: number[];
  pausedReason?: string;
  pausedBy?: string;
  endedAt?: string;
  endReason?: string;
  /** A rollback stays announced on every page until someone acknowledges it. */
  acknowledged?: { by: string; at: string };
  history: RolloutStepRecord[];
  events: RolloutEvent[];
}

/** JSON pointer of an annotation key (`/` and `~` escaped). */
export const annotationPointer = (key: string) => `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * The rollout recorded on a VirtualService, if any. An annotation that is not a rollout this
 * version understands is reported, never guessed at.
 */
export function rolloutOf(vs: Pick<VirtualService, 'metadata'>): { state: RolloutState } | { problem: string } | undefined {
  const raw = vs.metadata.annotations?.[ROLLOUT_ANNOTATION];
  if (raw === undefined) return undefined;
  try {
    const state = JSON.parse(raw) as Partial<RolloutState>;
    if (state?.version !== 1 || !state.plan || !state.phase || !Array.isArray(state.history))
      return { problem: `annotation ${ROLLOUT_ANNOTATION} is not a rollout this version of Meshdeck reads` };
    return { state: state as RolloutState };
  } catch {
    return { problem: `annotation ${ROLLOUT_ANNOTATION} is not JSON` };
  }
}

/** The annotation's text for a state. */
export const encodeRollout = (state: RolloutState) => JSON.stringify(state);

export const isActive = (state: RolloutState) => ACTIVE_PHASES.includes(state.phase);

/** Whether a route destination is the one a ref names (a host-only ref matches only a destination without subset). */
export const sameDestination = (destination: Destination, ref: DestinationRef) =>
  destination.host === ref.host && (destination.subset ?? undefined) === (ref.subset ?? undefined);

/** A destination ref's label for messages: the subset, else the host. */
export const destinationLabel = (ref: DestinationRef) => ref.subset ?? ref.host;

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
