// A rollout step's gate charts: each gate's value over [step start, step end or now], computed
// exactly as the controller's checks compute it. The PromQL comes from the controller's own
// builders (lib/metrics/rollout.ts), run as range queries: one per gate kind, the candidate and
// the stable together, plus one per custom gate; each point's samples then go through the same
// measurementsOf as a check's, so a chart and the checks on it never disagree.
import { ApiError, toApiError } from '@/lib/k8s/errors';
import { gateInfo, gateThresholds, isActive, type GateId, type GateUnit, type RolloutPlan, type RolloutState } from '@/lib/mesh/rollout';
import { rangeQuery, type Sample, type Series } from './prometheus';
import { split } from './promql';
import {
  customGateQuery,
  measurementsOf,
  p99Query,
  requestCountQuery,
  trafficQuery,
  type Answer,
  type Answers,
  type GateRequest,
  type RolloutTargets,
} from './rollout';

type Point = [epochSeconds: number, value: number];

/** One gate at one step, as GET /api/rollouts/{namespace}/{name}/series answers it. */
export interface GateSeries {
  gate: GateId;
  /** Names the chart: "{label} at step N". */
  label: string;
  unit: GateUnit;
  threshold: number;
  bound: 'max' | 'min';
  /** The value the gate compares with the threshold (for a relative gate: the increase or the multiple). */
  candidate: Point[];
  /** The stable's own value beside an absolute error-rate or P99 gate, for comparison. */
  stable?: Point[];
  /** Why this gate's query failed (a custom gate's PromQL); the other charts are unaffected. */
  error?: string;
}

export interface RolloutSeries {
  /** Index into plan.steps (plan.steps.length: the promotion). */
  step: number;
  from: string;
  to: string;
  gates: GateSeries[];
}

/** The seconds [from, to] a step ran: to its end, or to now while it runs. Undefined before it began. */
export function stepRange(state: RolloutState, step: number, now: number): { from: number; to: number } | undefined {
  const record = state.history.findLast((r) => r.index === step);
  if (!record) return undefined;
  const running = state.step === step && isActive(state) && !record.endedAt;
  const end = record.endedAt ?? (running ? undefined : state.endedAt);
  const from = Date.parse(record.startedAt) / 1000;
  const to = end ? Date.parse(end) / 1000 : now / 1000;
  return { from: Math.floor(from), to: Math.max(Math.ceil(to), Math.floor(from) + 1) };
}

/** About 120 points a chart, never finer than a second. */
export const resolutionFor = (seconds: number) => Math.max(1, Math.ceil(seconds / 120));

/**
 * The plan the charts measure: the step's gates, with the relative gates added (threshold
 * unused) beside the absolute ones, so each point also carries the stable's error rate and P99.
 */
function chartPlan(plan: RolloutPlan): RolloutPlan {
  const { gates } = plan;
  return {
    ...plan,
    gates: {
      ...gates,
      ...(gates.maxErrorRate !== undefined && gates.maxErrorRateIncrease === undefined ? { maxErrorRateIncrease: Infinity } : {}),
      ...(gates.maxP99Ms !== undefined && gates.maxP99Ratio === undefined ? { maxP99Ratio: Infinity } : {}),
    },
  };
}

/** A range answer as instant answers: each part's samples at one time. */
class Timeline {
  private readonly parts: Record<string, Series[]>;

  constructor(series: Series[], parted: boolean) {
    this.parts = parted ? split(series) : { '': series };
  }

  /** The parts' samples at time t (a series without a point at t is left out, as an instant query would). */
  at(t: number): Answer {
    const parts: Record<string, Sample[]> = {};
    for (const [name, list] of Object.entries(this.parts))
      parts[name] = list.flatMap(({ metric, values }) => values.filter(([time]) => time === t).map(([, value]) => ({ metric, value })));
    return { parts };
  }

  /** The parts' values summed over every point up to t: per-bucket increases become counts since the first bucket began. */
  sumTo(t: number): Answer {
    const parts: Record<string, Sample[]> = {};
    for (const [name, list] of Object.entries(this.parts))
      parts[name] = list.map(({ metric, values }) => ({ metric, value: values.filter(([time]) => time <= t).reduce((sum, [, value]) => sum + value, 0) }));
    return { parts };
  }
}

async function ranged(expr: string | undefined, from: number, to: number, step: number, parted = true): Promise<Timeline | undefined> {
  return expr === undefined ? undefined : new Timeline(await rangeQuery(expr, from, to, step), parted);
}

/** Prometheus is needed for the charts: when it is down, a 503 that says so (the checks on the timeline are kept in the rollout). */
function unavailable(error: unknown): ApiError {
  const apiError = toApiError(error);
  return apiError.status === 503
    ? new ApiError(503, `The gate charts need Prometheus: ${apiError.message}. The checks on the timeline are kept with the rollout.`, 'ServiceUnavailable')
    : apiError;
}

/**
 * A step's gate charts. Errors, P99 and custom gates: a point every resolutionFor(step length)
 * seconds, each over the plan's window as at a check. Requests at the step: counted in buckets
 * of the plan's window from the step's start (a rate window is wide enough for two scrapes;
 * a finer bucket could see none) and summed, so each point is the requests since the step began.
 */
export async function rolloutSeries(state: RolloutState, step: number, targets: RolloutTargets, now = Date.now()): Promise<RolloutSeries> {
  const range = stepRange(state, step, now);
  if (!range) throw new ApiError(404, `Step ${step + 1} of this rollout has not begun`, 'NotFound');
  const { from, to } = range;
  const resolution = resolutionFor(to - from);
  const plan = chartPlan(state.plan);
  const request: GateRequest = { plan, targets, stepStartedAt: new Date(from * 1000).toISOString() };
  const bucket = Math.max(1, Math.ceil(plan.windowSeconds));
  const custom = plan.gates.custom ?? [];
  let timelines: [Timeline | undefined, Timeline | undefined, Timeline | undefined];
  try {
    timelines = await Promise.all([
      ranged(trafficQuery([request]), from, to, resolution),
      ranged(p99Query([request]), from, to, resolution),
      // The builder counts over [stepStartedAt, now]: here over one bucket, at each bucket's end.
      ranged(requestCountQuery([{ ...request, stepStartedAt: new Date(0).toISOString() }], bucket * 1000), from + bucket, Math.max(to, from + bucket), bucket),
    ]);
  } catch (error) {
    throw unavailable(error);
  }
  const [traffic, p99, count] = timelines;
  const customs = await Promise.all(
    custom.map(async (gate) => {
      try {
        return { timeline: await ranged(customGateQuery(gate, plan, targets), from, to, resolution, false) };
      } catch (error) {
        const apiError = unavailable(error);
        if (apiError.status === 503) throw apiError;
        return { error: apiError.message };
      }
    }),
  );

  const times = (first: number, every: number) => Array.from({ length: Math.floor((to - first) / every) + 1 }, (_, i) => first + i * every);
  const measured = (t: number, answers: Omit<Answers, 'custom'>) =>
    measurementsOf(request, 0, { ...answers, custom: [customs.map((c) => c.timeline?.at(t) ?? { parts: {} })] });
  const points = times(from, resolution).map((t) => ({ t, measurements: measured(t, { traffic: traffic?.at(t), p99: p99?.at(t) }) }));
  const countPoints = to >= from + bucket ? times(from + bucket, bucket).map((t) => ({ t, measurements: measured(t, { count: count?.sumTo(t) }) })) : [];

  const gates = gateThresholds(state.plan.gates).map(({ gate, threshold, bound }): GateSeries => {
    const source = gate === 'minRequests' ? countPoints : points;
    const pick = (id: GateId, key: 'value' | 'stable') =>
      source.flatMap(({ t, measurements }): Point[] => {
        // A custom gate with max and min is measured twice: take the measurement of this bound.
        const m = measurements.find((x) => x.gate === id && (id !== gate || x.bound === bound));
        const value = m?.[key];
        return value === null || value === undefined ? [] : [[t, value]];
      });
    const stableOf: Partial<Record<GateId, GateId>> = { errorRate: 'errorRateIncrease', p99: 'p99Ratio' };
    const customIndex = gate.startsWith('custom:') ? custom.findIndex((c) => `custom:${c.name}` === gate) : -1;
    const error = customIndex >= 0 ? customs[customIndex]?.error : undefined;
    return {
      gate,
      ...gateInfo(gate),
      threshold,
      bound,
      candidate: pick(gate, 'value'),
      ...(stableOf[gate] ? { stable: pick(stableOf[gate]!, 'stable') } : {}),
      ...(error ? { error } : {}),
    };
  });
  return { step, from: new Date(from * 1000).toISOString(), to: new Date(to * 1000).toISOString(), gates };
}
