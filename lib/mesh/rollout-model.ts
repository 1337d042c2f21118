// The rollout model every part shares (lib/mesh/rollout.ts holds the decisions and re-exports
// all of this): the annotation's shapes, the phases, a list's summary and the few pure helpers
// the shell's rollback banner and the Traffic rows need. Kept apart so those, which reach every
// page's first load, do not carry the plan checks, transitions and patches.
import type { VirtualService } from './types';

/** The annotation holding a route's rollout (JSON of RolloutState). */
export const ROLLOUT_ANNOTATION = 'meshdeck.io/rollout';

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

/**
 * The gates checked at each check interval. Every threshold is optional; a plan needs at least
 * one failing gate. Gates relative to the stable do not hold a 100 % step, where the stable has
 * no traffic to compare with (stepVerdict).
 */
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
  /**
   * The current run of holding checks at this step (no pass, no fail): since when the step has
   * had no evidence (its start, or its last passing or failing check) and how many checks held.
   */
  holding?: { since: string; checks: number };
  endedAt?: string;
  endReason?: string;
  /** A rollback stays announced on every page until someone acknowledges it. */
  acknowledged?: { by: string; at: string };
  /**
   * The route's destinations in order when the rollout started: the order of expectedWeights.
   * Other destinations on the route later are a foreign change, like other weights.
   */
  destinations: DestinationRef[];
  history: RolloutStepRecord[];
  events: RolloutEvent[];
}

/**
 * The rollout recorded on a VirtualService, if any. An annotation that is not a rollout this
 * version understands is reported, never guessed at.
 */
export function rolloutOf(vs: Pick<VirtualService, 'metadata'>): { state: RolloutState } | { problem: string } | undefined {
  const raw = vs.metadata.annotations?.[ROLLOUT_ANNOTATION];
  if (raw === undefined) return undefined;
  try {
    const state = JSON.parse(raw) as Partial<RolloutState>;
    if (state?.version !== 1 || !state.plan || !state.phase || !Array.isArray(state.history) || !Array.isArray(state.destinations))
      return { problem: `annotation ${ROLLOUT_ANNOTATION} is not a rollout this version of Meshdeck reads` };
    return { state: state as RolloutState };
  } catch {
    return { problem: `annotation ${ROLLOUT_ANNOTATION} is not JSON` };
  }
}

export const isActive = (state: RolloutState) => ACTIVE_PHASES.includes(state.phase);

/** A destination ref's label for messages: the subset, else the host. */
export const destinationLabel = (ref: DestinationRef) => ref.subset ?? ref.host;

/** What an operator can do to a rollout. */
export const ROLLOUT_CONTROLS = ['pause', 'resume', 'abort', 'skip', 'promote', 'acknowledge'] as const;

export type RolloutControl = (typeof ROLLOUT_CONTROLS)[number];

/** A rollout as the Traffic row and the Rollouts list show it. */
export interface RolloutSummary {
  namespace: string;
  name: string;
  resourceVersion: string;
  /** Index of the http route. */
  route: number;
  routeName?: string;
  phase: RolloutPhase;
  /** The step as people count it, from 1 ("step 2 of 5"); stepCount once promoted. */
  step: number;
  stepCount: number;
  /** The candidate's weight as the rollout last wrote it. */
  weight: number;
  stable: DestinationRef;
  candidate: DestinationRef;
  startedAt: string;
  startedBy: string;
  stepStartedAt: string;
  lastCheck?: RolloutCheck;
  /** When the controller measures next (progressing only). */
  nextCheckAt?: string;
  /** Since when the current step has had no evidence (only holding checks), while it progresses: it pauses at holdLimitSeconds. */
  holdingSince?: string;
  pausedReason?: string;
  endedAt?: string;
  endReason?: string;
  acknowledged?: { by: string; at: string };
  preset?: string;
  /** "Progressing, step 2 of 5 (10 %)", "Rolled back at step 2 of 5": the line a row shows. */
  headline: string;
}
