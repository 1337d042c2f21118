// How the rollout pages put a rollout into words, on top of the domain's own (gate labels, values
// and measurements come from lib/mesh/rollout). Pure, so the list, the detail page, the banner
// and their tests read the same sentences.
import { formatDuration } from '@/lib/mesh/duration';
import {
  describeMeasurement,
  formatGateValue,
  gateInfo,
  stepWeight,
  type GateMeasurement,
  type RolloutCheck,
  type RolloutPlan,
  type RolloutState,
  type RolloutStepRecord,
} from '@/lib/mesh/rollout';

/** A step's title in the timeline: "Step 2 of 5 · 10 %", or "Promotion · 100 %" (index: into plan.steps). */
export const stepTitle = (plan: Pick<RolloutPlan, 'steps'>, index: number) =>
  `${index >= plan.steps.length ? 'Promotion' : `Step ${index + 1} of ${plan.steps.length}`} · ${stepWeight(plan, index)} %`;

/** Seconds in the plan's Go form: "5m", "1m30s", "2s". */
export const durationText = (seconds: number) => formatDuration(BigInt(Math.round(seconds)) * 1_000_000_000n);

/**
 * The stable's own value beside a measurement: a relative gate (the increase, the multiple)
 * carries the stable's error rate or P99, so it reads in that gate's unit ("0.4 %", "812 ms").
 */
export function stableText(m: Pick<GateMeasurement, 'gate' | 'stable'>): string | undefined {
  if (m.stable === undefined) return undefined;
  if (m.stable === null) return 'no data';
  const own = m.gate === 'p99Ratio' ? 'p99' : m.gate === 'errorRateIncrease' ? 'errorRate' : m.gate;
  return formatGateValue(own, m.stable);
}

/** One measurement with its verdict: "error rate 21.3 % > 5 % (stable 0.4 %): fail". */
export function measurementText(m: GateMeasurement): string {
  const stable = m.stable === undefined || m.stable === null ? '' : ` (stable ${stableText(m)})`;
  return `${describeMeasurement(m)}${stable}: ${m.verdict}`;
}

/** A check in a line: its verdict, the gates that decided it (the failing ones, else the holding ones; all when it passed) and its error. */
export function checkText(check: RolloutCheck): string {
  const deciding = check.measurements.filter((m) => m.verdict === check.verdict);
  const shown = check.verdict === 'pass' || deciding.length === 0 ? check.measurements : deciding;
  return [check.verdict, shown.map((m) => describeMeasurement(m)).join('; '), check.error].filter(Boolean).join(': ');
}

/**
 * A step's checks counted by verdict: "5 checks: 3 passed, 1 failed, 1 held". The annotation keeps
 * only the newest checks, so once older ones were dropped the passed and held are told together.
 */
export function checkCountsText(record: Pick<RolloutStepRecord, 'checks' | 'checkCount' | 'failedCount' | 'endedAt'>): string {
  if (record.checkCount === 0) return record.endedAt ? 'no checks' : 'no checks yet';
  const total = `${record.checkCount} check${record.checkCount === 1 ? '' : 's'}`;
  const notFailed = record.checkCount - record.failedCount;
  if (record.checks.length < record.checkCount) return `${total}: ${notFailed} passed or held, ${record.failedCount} failed`;
  const held = record.checks.filter((c) => c.verdict === 'hold').length;
  return `${total}: ${notFailed - held} passed, ${record.failedCount} failed, ${held} held`;
}

/** The newest measurement that failed a step's check (else held one): the gate and value to name beside the step. */
export function decidingMeasurement(record: Pick<RolloutStepRecord, 'checks'>): GateMeasurement | undefined {
  for (const verdict of ['fail', 'hold'] as const)
    for (const check of [...record.checks].reverse()) {
      const m = check.measurements.find((x) => x.verdict === verdict);
      if (m) return m;
    }
  return undefined;
}

/** Each step record with the events that happened during it (those before the first step's start go with it). */
export function stepsWithEvents(state: Pick<RolloutState, 'history' | 'events'>) {
  return state.history.map((record, i) => {
    const next = state.history[i + 1];
    const from = i === 0 ? -Infinity : Date.parse(record.startedAt);
    const to = next ? Date.parse(next.startedAt) : Infinity;
    return { record, events: state.events.filter((e) => Date.parse(e.at) >= from && Date.parse(e.at) < to) };
  });
}

/** A gate's label for a measurement's gate, e.g. "Error rate". */
export const gateLabel = (m: Pick<GateMeasurement, 'gate'>) => gateInfo(m.gate).label;
