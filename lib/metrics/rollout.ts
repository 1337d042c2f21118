// The gates of rollouts, measured in Prometheus at each check. One instant query per gate kind
// for every rollout checked in the same tick, whatever their number: requests and 5xx together,
// P99, and requests since each step began; each rollout is a part of the query (`combine`), and
// each part covers its stable and its candidate at once (`sum by (destination_version)`). Custom
// gates are one query each (their PromQL is the operator's). Reporter "destination": what the
// candidate's own sidecar saw, the same for every caller and never counted twice.
import { gateVerdict, type CustomGate, type GateId, type GateMeasurement, type RolloutPlan } from '@/lib/mesh/rollout';
import { toApiError } from '@/lib/k8s/errors';
import { instantQueryAt, type Sample } from './prometheus';
import { combine, latencyQuantileOf, quote, requestRateOf, split, withMatchers } from './promql';

/**
 * The label that tells a service's versions apart: Istio's destination_version (the pods'
 * `version` label), as the KPIs page, the Traffic page's live numbers and the canary verdict
 * read it, so a rollout's numbers match what those pages show for the same subset.
 */
export const VERSION_LABEL = 'destination_version';

/** What selects one destination's samples: its service, and a version of it (none: the whole service). */
export interface MetricTarget {
  /** destination_service_namespace */
  namespace: string;
  /** destination_service_name: the service's short name */
  service: string;
  /** The destination_version value of the subset's pods; undefined for a destination without subset. */
  version?: string;
}

export interface RolloutTargets {
  stable: MetricTarget;
  candidate: MetricTarget;
}

/** One rollout to measure at this check. */
export interface GateRequest {
  plan: RolloutPlan;
  targets: RolloutTargets;
  /** When the current step began (ISO time): the minimum-requests gate counts from here. */
  stepStartedAt: string;
}

export interface GateResult {
  measurements: GateMeasurement[];
  /** Why some gates could not be measured (they hold). */
  error?: string;
}

/** A PromQL duration for a number of seconds. */
export const promDuration = (seconds: number) => `${Math.max(1, Math.ceil(seconds))}s`;

/** Samples of one destination's service, grouped by version or not: one part of each query. */
interface Group {
  selector: string;
  byVersion: boolean;
}

const sameService = (a: MetricTarget, b: MetricTarget) => a.namespace === b.namespace && a.service === b.service;

/**
 * The groups a rollout's destinations are read through: one when both are versions of one
 * service (the usual canary), else one per destination (two services, or a whole service).
 */
function groupsOf(targets: RolloutTargets): Group[] {
  const { stable, candidate } = targets;
  const selectorOf = (t: MetricTarget, versions: string[]) =>
    withMatchers(
      `{reporter="destination",destination_service_namespace=${quote(t.namespace)},destination_service_name=${quote(t.service)}}`,
      ...(versions.length ? [`${VERSION_LABEL}=~${quote(versions.map(escapeRegex).join('|'))}`] : []),
    );
  if (sameService(stable, candidate) && stable.version !== undefined && candidate.version !== undefined)
    return [{ selector: selectorOf(candidate, [...new Set([candidate.version, stable.version])]), byVersion: true }];
  return [candidate, stable].map((t) => ({ selector: selectorOf(t, t.version === undefined ? [] : [t.version]), byVersion: t.version !== undefined }));
}

// Label values are matched whole by =~; a version with regex characters (1.2.0) must match itself only.
const escapeRegex = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The group (index) a destination's samples are in, and how to find them. */
function groupIndex(targets: RolloutTargets, which: 'stable' | 'candidate'): number {
  return groupsOf(targets).length === 1 || which === 'candidate' ? 0 : 1;
}

const partName = (rollout: number, group: number, kind: string) => `${rollout}/${group}/${kind}`;
const by = (group: Group) => (group.byVersion ? [VERSION_LABEL] : []);

const needsTraffic = (plan: RolloutPlan) => plan.gates.maxErrorRate !== undefined || plan.gates.maxErrorRateIncrease !== undefined;
const needsP99 = (plan: RolloutPlan) => plan.gates.maxP99Ms !== undefined || plan.gates.maxP99Ratio !== undefined;
const needsCount = (plan: RolloutPlan) => plan.gates.minRequests !== undefined;

/** One query of parts, one part per group of every rollout that needs this kind; undefined when none does. */
function batched(requests: GateRequest[], needs: (plan: RolloutPlan) => boolean, parts: (request: GateRequest, group: Group) => Record<string, string>) {
  const all: Record<string, string> = {};
  requests.forEach((request, r) => {
    if (!needs(request.plan)) return;
    groupsOf(request.targets).forEach((group, g) => {
      for (const [kind, expr] of Object.entries(parts(request, group))) all[partName(r, g, kind)] = expr;
    });
  });
  return Object.keys(all).length ? combine(all) : undefined;
}

/** Requests and 5xx per second over each plan's window (the error share is their quotient, so a whole service sums its versions). */
export const trafficQuery = (requests: GateRequest[]) =>
  batched(requests, needsTraffic, ({ plan }, group) => {
    const window = promDuration(plan.windowSeconds);
    return {
      requests: requestRateOf(group.selector, window, by(group)),
      errors: requestRateOf(withMatchers(group.selector, 'response_code=~"5.."'), window, by(group)),
    };
  });

/** P99 in milliseconds over each plan's window. */
export const p99Query = (requests: GateRequest[]) =>
  batched(requests, needsP99, ({ plan }, group) => ({ p99: latencyQuantileOf(0.99, group.selector, promDuration(plan.windowSeconds), by(group)) }));

/** Requests served since each step began (rounded up to whole seconds). */
export const requestCountQuery = (requests: GateRequest[], now: number) =>
  batched(requests, needsCount, ({ stepStartedAt }, group) => ({
    count: `sum by (${by(group).join(', ')}) (increase(istio_requests_total${group.selector}[${promDuration((now - Date.parse(stepStartedAt)) / 1000)}]))`,
  }));

/** A display name of a destination in custom PromQL: its version, else its service. */
const placeholderValue = (t: MetricTarget) => t.version ?? t.service;

/** A custom gate's PromQL with its placeholders replaced ($window, $namespace, $service, $candidate, $stable). */
export function customGateQuery(gate: Pick<CustomGate, 'query'>, plan: Pick<RolloutPlan, 'windowSeconds'>, targets: RolloutTargets): string {
  const values: Record<string, string> = {
    window: promDuration(plan.windowSeconds),
    namespace: targets.candidate.namespace,
    service: targets.candidate.service,
    candidate: placeholderValue(targets.candidate),
    stable: placeholderValue(targets.stable),
  };
  return gate.query.replace(/\$(window|namespace|service|candidate|stable)\b/g, (_, name: string) => values[name]!);
}

/** What Prometheus answered for one query: its samples split into parts, or why it failed. */
export type Answer = { parts: Record<string, Sample[]> } | { error: string };

export interface Answers {
  traffic?: Answer;
  p99?: Answer;
  count?: Answer;
  /** Per rollout, per custom gate (in plan order). */
  custom: Answer[][];
}

const finite = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
// The annotation keeps every check: four significant digits are plenty and keep it small.
const compact = (v: number | null) => (v === null ? null : Number(v.toPrecision(4)));

/** A destination's value in a part of an answer; undefined when the answer has no such sample. */
function valueOf(answer: Answer | undefined, request: GateRequest, rollout: number, which: 'stable' | 'candidate', kind: string): number | undefined {
  if (!answer || 'error' in answer) return undefined;
  const target = request.targets[which];
  const samples = answer.parts[partName(rollout, groupIndex(request.targets, which), kind)] ?? [];
  const sample = target.version === undefined ? samples[0] : samples.find((s) => s.metric[VERSION_LABEL] === target.version);
  return sample?.value;
}

function measure(gate: GateId, value: number | null, threshold: number, bound: 'max' | 'min', stable?: number | null): GateMeasurement {
  return {
    gate,
    value: compact(value),
    ...(stable !== undefined ? { stable: compact(stable) } : {}),
    threshold,
    bound,
    verdict: gateVerdict(gate, value, threshold, bound),
  };
}

/** The worst of several samples for a bound (a custom query should answer one). */
const worst = (samples: Sample[], bound: 'max' | 'min') => {
  const values = samples.map((s) => s.value).filter(Number.isFinite);
  return values.length ? (bound === 'max' ? Math.max(...values) : Math.min(...values)) : null;
};

/**
 * The measurements of one rollout from the answers (pure). No sample: value null, the gate holds.
 * Relative gates hold without the stable's numbers. Too few requests hold, never fail.
 * Values compared with the thresholds: the error share and its increase over the stable's in
 * points (0..1), the P99 in ms and its multiple of the stable's, requests since the step began.
 */
export function measurementsOf(request: GateRequest, rollout: number, answers: Answers): GateMeasurement[] {
  const { gates } = request.plan;
  const get = (answer: Answer | undefined, which: 'stable' | 'candidate', kind: string) => valueOf(answer, request, rollout, which, kind);
  const errorShare = (which: 'stable' | 'candidate') => {
    const rate = get(answers.traffic, which, 'requests');
    if (!rate) return null; // no requests in the window: no share to judge
    return finite((get(answers.traffic, which, 'errors') ?? 0) / rate);
  };
  const out: GateMeasurement[] = [];
  if (gates.minRequests !== undefined) {
    const count = finite(get(answers.count, 'candidate', 'count'));
    // Too few requests yet: the step waits for evidence, it has not failed.
    out.push({
      ...measure('minRequests', count, gates.minRequests, 'min'),
      ...(count !== null && count < gates.minRequests ? { verdict: 'hold' as const } : {}),
    });
  }
  if (needsTraffic(request.plan)) {
    const [candidate, stable] = [errorShare('candidate'), errorShare('stable')];
    if (gates.maxErrorRate !== undefined) out.push(measure('errorRate', candidate, gates.maxErrorRate, 'max'));
    if (gates.maxErrorRateIncrease !== undefined)
      out.push(measure('errorRateIncrease', candidate === null || stable === null ? null : candidate - stable, gates.maxErrorRateIncrease, 'max', stable));
  }
  if (needsP99(request.plan)) {
    const [candidate, stable] = [finite(get(answers.p99, 'candidate', 'p99')), finite(get(answers.p99, 'stable', 'p99'))];
    if (gates.maxP99Ms !== undefined) out.push(measure('p99', candidate, gates.maxP99Ms, 'max'));
    if (gates.maxP99Ratio !== undefined)
      out.push(measure('p99Ratio', candidate === null || !stable ? null : candidate / stable, gates.maxP99Ratio, 'max', stable));
  }
  (gates.custom ?? []).forEach((gate, i) => {
    const answer = answers.custom[rollout]?.[i];
    const samples = answer && 'parts' in answer ? (answer.parts[''] ?? []) : [];
    if (gate.max !== undefined) out.push(measure(`custom:${gate.name}`, worst(samples, 'max'), gate.max, 'max'));
    if (gate.min !== undefined) out.push(measure(`custom:${gate.name}`, worst(samples, 'min'), gate.min, 'min'));
  });
  return out;
}

/** Why some of a rollout's gates could not be measured, from the answers it depends on. */
export function errorsOf(request: GateRequest, rollout: number, answers: Answers): string | undefined {
  const { plan } = request;
  const asked: [label: string, answer: Answer | undefined, needed: boolean][] = [
    ['the error rate', answers.traffic, needsTraffic(plan)],
    ['the P99', answers.p99, needsP99(plan)],
    ['the requests', answers.count, needsCount(plan)],
    ...(plan.gates.custom ?? []).map((gate, i): [string, Answer | undefined, boolean] => [`the custom gate ${gate.name}`, answers.custom[rollout]?.[i], true]),
  ];
  // Gates that failed the same way (Prometheus down) are named together, the cause once.
  const byCause = new Map<string, string[]>();
  for (const [label, answer, needed] of asked)
    if (needed && answer && 'error' in answer) byCause.set(answer.error, [...(byCause.get(answer.error) ?? []), label]);
  if (!byCause.size) return undefined;
  const list = (labels: string[]) => (labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}` : labels[0]!);
  return `Prometheus could not measure ${[...byCause].map(([cause, labels]) => `${list(labels)}: ${cause}`).join('; ')}`;
}

async function ask(expr: string | undefined, time: number, parted: boolean): Promise<Answer | undefined> {
  if (expr === undefined) return undefined;
  try {
    const samples = await instantQueryAt(expr, time, QUERY_TIMEOUT_MS);
    return { parts: parted ? split(samples) : { '': samples } };
  } catch (error) {
    return { error: toApiError(error).message };
  }
}

const QUERY_TIMEOUT_MS = 5000;

/**
 * Measures the gates of several rollouts at `now` (epoch ms): at most three batched queries
 * plus one per custom gate, all at the same instant. A query that fails makes its gates hold
 * and is named in that rollout's error; it never throws.
 */
export async function measureRollouts(requests: GateRequest[], now: number): Promise<GateResult[]> {
  const time = now / 1000;
  const [traffic, p99, count, custom] = await Promise.all([
    ask(trafficQuery(requests), time, true),
    ask(p99Query(requests), time, true),
    ask(requestCountQuery(requests, now), time, true),
    Promise.all(
      requests.map((request) =>
        Promise.all((request.plan.gates.custom ?? []).map(async (gate) => (await ask(customGateQuery(gate, request.plan, request.targets), time, false))!)),
      ),
    ),
  ]);
  const answers: Answers = { traffic, p99, count, custom };
  return requests.map((request, r) => {
    const error = errorsOf(request, r, answers);
    return { measurements: measurementsOf(request, r, answers), ...(error ? { error } : {}) };
  });
}

/** Measures one rollout's gates at `now` (epoch ms). */
export async function measureGates(plan: RolloutPlan, targets: RolloutTargets, stepStartedAt: string, now: number): Promise<GateResult> {
  const [result] = await measureRollouts([{ plan, targets, stepStartedAt }], now);
  return result!;
}
