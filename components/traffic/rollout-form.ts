// The "Start rollout" form of a weighted route: its fields as typed (strings, so a half-typed
// number stays as typed), their defaults from the route and a preset, the plan input the
// rollout API takes (POST /api/rollouts/{namespace}/{name}), and the API's field messages put
// back beside the fields they name. Pure: the plan's rules are the server's (lib/api/rollout-schemas
// and lib/mesh/rollout planProblems); this only reads what was typed.
import type { RolloutPlanInput } from '@/lib/api/rollout-schemas';
import { canaryIndex } from '@/lib/mesh/canary';
import { NANOS_PER, formatDuration } from '@/lib/mesh/duration';
import { shortHost } from '@/lib/mesh/hosts';
import { ACTIVE_PHASES, type DestinationRef, type RolloutPreset } from '@/lib/mesh/rollout';
import { releaseRoles, type DestinationView, type RouteView, type VirtualServiceView } from '@/lib/mesh/traffic-split';

export interface CustomGateDraft {
  name: string;
  query: string;
  max: string;
  min: string;
}

export interface RolloutForm {
  /** The preset the fields were filled from ('' for none). */
  preset: string;
  /** Destination keys (destinationKey) of the route's destinations. */
  stable: string;
  candidate: string;
  /** "5, 10, 25, 50, 100". */
  steps: string;
  /** Go durations. */
  stepDuration: string;
  interval: string;
  window: string;
  minRequests: string;
  /** Percent (5 for 5 %); the plan holds the ratio. */
  maxErrorRate: string;
  /** Percentage points over the stable's error rate; the plan holds the ratio. */
  maxErrorRateIncrease: string;
  maxP99Ms: string;
  /** A multiple of the stable's P99, e.g. 1.5. */
  maxP99Ratio: string;
  custom: CustomGateDraft[];
  maxFailedChecks: string;
}

/** A place in the form a message belongs to: a field, one custom gate (`custom.0`), or the plan as a whole. */
export type FormField = Exclude<keyof RolloutForm, 'custom'> | `custom.${number}` | 'gates' | 'reason' | 'plan';

export type GateField = 'minRequests' | 'maxErrorRate' | 'maxErrorRateIncrease' | 'maxP99Ms' | 'maxP99Ratio';

/** Why a rollout cannot start on this VirtualService now (the API would refuse it with 409), or undefined when it can. */
export function startBlocker(vs: Pick<VirtualServiceView, 'name' | 'managedBy' | 'rollout' | 'rolloutProblem'>): string | undefined {
  if (vs.managedBy) return `${vs.managedBy}: Meshdeck runs no rollout on it.`;
  if (vs.rolloutProblem) return `The rollout annotation cannot be read (${vs.rolloutProblem}): remove it before starting a rollout.`;
  if (vs.rollout && ACTIVE_PHASES.includes(vs.rollout.phase))
    return `A rollout is already ${vs.rollout.phase.toLowerCase()} on ${vs.name} (route ${vs.rollout.routeName ?? vs.rollout.route + 1}): finish or abort it first.`;
  return undefined;
}

/**
 * The rollout API answers 409 for a stale version and also for refusals that are the object's
 * state (a rollout already active, another controller's object, the controller not armed). When
 * the VirtualService in the 409 (`current`) has such a state, or has not changed at all, the 409
 * is no version conflict: this says why, to show as a refusal rather than "someone changed it".
 * Undefined: a version conflict.
 */
export function notAVersionConflict(current: VirtualServiceView | undefined, baseVersion: string, message: string): string | undefined {
  if (!current) return undefined;
  return startBlocker(current) ?? (current.resourceVersion === baseVersion ? message : undefined);
}

/** A destination's key in the Stable and Candidate choices. */
export const destinationKey = (d: { host: string; subset?: string }) => `${d.host}#${d.subset ?? ''}`;

const refOf = (d: { host: string; subset?: string }): DestinationRef => ({ host: d.host, ...(d.subset ? { subset: d.subset } : {}) });

/** A destination's name in the choices: "reviews v2", or the host alone without a subset. */
export const destinationName = (d: Pick<DestinationView, 'host' | 'subset'>) => `${shortHost(d.host)}${d.subset ? ` ${d.subset}` : ''}`;

/**
 * Who is who on a route by default: the stable is the destination with the most weight (the
 * first of equals), the candidate the canary by the namespace's canary rule, else the other
 * release name (lib/mesh/traffic-split releaseRoles), else the first other destination.
 */
export function defaultRoles(destinations: Pick<DestinationView, 'subset' | 'weight'>[], canaryVersions: string): { stable: number; candidate: number } {
  const stable = destinations.reduce((best, d, i) => (d.weight > destinations[best]!.weight ? i : best), 0);
  const canary = canaryIndex(
    destinations.map((d) => d.subset),
    canaryVersions,
  );
  if (canary >= 0 && canary !== stable) return { stable, candidate: canary };
  const named = releaseRoles(
    destinations.map((d) => d.subset),
    canaryVersions,
  ).candidate;
  return { stable, candidate: named !== stable ? named : stable === 0 ? 1 : 0 };
}

/** Whether a preset names one of these destinations' services: by short name, "namespace/name" or host. */
export function presetFor(preset: Pick<RolloutPreset, 'services'>, namespace: string, destinations: Pick<DestinationView, 'host'>[]): boolean {
  const names = new Set(destinations.flatMap((d) => [d.host, shortHost(d.host), `${namespace}/${shortHost(d.host)}`]));
  return (preset.services ?? []).some((s) => names.has(s));
}

/** The presets as the Preset choice lists them: those meant for this route's services first, then the rest in their order. */
export function orderPresets<P extends Pick<RolloutPreset, 'services'>>(presets: P[], namespace: string, destinations: Pick<DestinationView, 'host'>[]): P[] {
  const mine = presets.filter((p) => presetFor(p, namespace, destinations));
  return [...mine, ...presets.filter((p) => !mine.includes(p))];
}

/** A number as a field shows it: no float noise (0.005 × 100 is "0.5", not "0.49999…"). */
const shown = (value: number | undefined) => (value === undefined ? '' : String(Number(value.toFixed(6))));
const seconds = (value: number) => formatDuration(BigInt(Math.round(value)) * NANOS_PER.s);

/** The fields a preset fills (everything but the destinations). */
export function presetFields(preset: RolloutPreset): Omit<RolloutForm, 'stable' | 'candidate'> {
  const g = preset.gates;
  return {
    preset: preset.name,
    steps: preset.steps.join(', '),
    stepDuration: seconds(preset.stepSeconds),
    interval: seconds(preset.intervalSeconds),
    window: seconds(preset.windowSeconds),
    minRequests: shown(g.minRequests),
    maxErrorRate: shown(g.maxErrorRate === undefined ? undefined : g.maxErrorRate * 100),
    maxErrorRateIncrease: shown(g.maxErrorRateIncrease === undefined ? undefined : g.maxErrorRateIncrease * 100),
    maxP99Ms: shown(g.maxP99Ms),
    maxP99Ratio: shown(g.maxP99Ratio),
    custom: (g.custom ?? []).map((c) => ({ name: c.name, query: c.query, max: shown(c.max), min: shown(c.min) })),
    maxFailedChecks: String(preset.maxFailedChecks),
  };
}

/** The form a route opens with: its default roles and the first preset of the ordered list (none without presets). */
export function initialForm(route: Pick<RouteView, 'destinations'>, canaryVersions: string, orderedPresets: RolloutPreset[]): RolloutForm {
  const roles = defaultRoles(route.destinations, canaryVersions);
  const preset = orderedPresets[0];
  return {
    stable: destinationKey(route.destinations[roles.stable]!),
    candidate: destinationKey(route.destinations[roles.candidate]!),
    ...(preset
      ? presetFields(preset)
      : {
          preset: '',
          steps: '',
          stepDuration: '',
          interval: '',
          window: '',
          minRequests: '',
          maxErrorRate: '',
          maxErrorRateIncrease: '',
          maxP99Ms: '',
          maxP99Ratio: '',
          custom: [],
          maxFailedChecks: '',
        }),
  };
}

/** Choosing a preset: its fields replace the plan's, the destinations stay as chosen. */
export const withPreset = (form: RolloutForm, preset: RolloutPreset): RolloutForm => ({ ...form, ...presetFields(preset) });

/** A typed number, or why it is not one. */
function numberIn(text: string, label: string): { value?: number; problem?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  const value = Number(trimmed);
  return Number.isFinite(value) ? { value } : { problem: `${label}: "${trimmed}" is not a number` };
}

/** The gates' fields: their names (the accessible names of the form's spinbuttons) and what each measures. */
export const GATE_FIELDS: Record<GateField, { label: string; hint: string; whole?: true }> = {
  minRequests: { label: 'Minimum requests', hint: 'A step with fewer candidate requests waits (never fails).', whole: true },
  maxErrorRate: { label: 'Max error rate (%)', hint: "The candidate's 5xx share over the window." },
  maxErrorRateIncrease: { label: 'Max error rate over stable (points)', hint: "The candidate's 5xx share minus the stable's, in percentage points." },
  maxP99Ms: { label: 'Max P99 (ms)', hint: "The candidate's 99th percentile latency." },
  maxP99Ratio: { label: 'Max P99 × stable', hint: "The candidate's P99 at most this multiple of the stable's, e.g. 1.5." },
};
/** Fields holding a share: typed in percent (points), sent as a ratio. */
const PERCENT: readonly GateField[] = ['maxErrorRate', 'maxErrorRateIncrease'];

/**
 * The plan input for what was typed, or the fields that are not numbers (their message per
 * field). Empty gates are left out; whether the plan makes sense is the server's to say.
 */
export function planInput(
  form: RolloutForm,
  route: Pick<RouteView, 'index' | 'name' | 'destinations'>,
  routeName?: string,
): { plan: RolloutPlanInput; problems?: undefined } | { plan?: undefined; problems: Partial<Record<FormField, string>> } {
  const problems: Partial<Record<FormField, string>> = {};
  const find = (key: string, field: 'stable' | 'candidate') => {
    const found = route.destinations.find((d) => destinationKey(d) === key);
    if (!found) problems[field] = `Choose the ${field} among the route's destinations`;
    return found && refOf(found);
  };
  const stable = find(form.stable, 'stable');
  const candidate = find(form.candidate, 'candidate');

  const stepTexts = form.steps.split(/[\s,;]+/).filter(Boolean);
  const badStep = stepTexts.find((s) => !Number.isFinite(Number(s)));
  if (stepTexts.length === 0) problems.steps = "Steps: give the candidate's weight at each step, e.g. 5, 10, 25, 50, 100";
  else if (badStep !== undefined) problems.steps = `Steps: "${badStep}" is not a number`;

  const gates: RolloutPlanInput['gates'] = {};
  for (const field of Object.keys(GATE_FIELDS) as GateField[]) {
    const { value, problem } = numberIn(form[field], GATE_FIELDS[field].label);
    if (problem) problems[field] = problem;
    else if (value !== undefined) gates[field] = PERCENT.includes(field) ? Number((value / 100).toFixed(8)) : value;
  }
  const custom: NonNullable<RolloutPlanInput['gates']['custom']> = [];
  form.custom.forEach((c, i) => {
    if (!c.name.trim() && !c.query.trim() && !c.max.trim() && !c.min.trim()) return;
    const max = numberIn(c.max, 'Maximum');
    const min = numberIn(c.min, 'Minimum');
    if (max.problem ?? min.problem) problems[`custom.${i}`] = (max.problem ?? min.problem)!;
    custom.push({
      name: c.name.trim(),
      query: c.query.trim(),
      ...(max.value !== undefined ? { max: max.value } : {}),
      ...(min.value !== undefined ? { min: min.value } : {}),
    });
  });
  if (custom.length) gates.custom = custom;

  const failed = numberIn(form.maxFailedChecks, 'Failed checks before rollback');
  if (failed.problem) problems.maxFailedChecks = failed.problem;
  else if (failed.value === undefined) problems.maxFailedChecks = 'Failed checks before rollback: say after how many failed checks in a row to roll back';

  if (Object.keys(problems).length > 0 || !stable || !candidate) return { problems };
  return {
    plan: {
      route: route.index,
      ...(routeName ? { routeName } : {}),
      stable,
      candidate,
      steps: stepTexts.map(Number),
      stepDuration: form.stepDuration.trim(),
      interval: form.interval.trim(),
      window: form.window.trim(),
      gates,
      maxFailedChecks: failed.value!,
      ...(form.preset ? { preset: form.preset } : {}),
    },
  };
}

// The API names plan fields by their input path ("plan.steps", "plan.gates.custom[0].query";
// Zod writes "plan.gates.custom.0.query"; the domain's plan checks leave out "plan."); the form
// has one place for each.
const PATH_FIELDS: [RegExp, FormField | ((match: RegExpMatchArray) => FormField)][] = [
  [/^(steps|stepWeight|maxWeight)\b/, 'steps'],
  [/^(stepDuration|stepSeconds)\b/, 'stepDuration'],
  [/^(interval|intervalSeconds)\b/, 'interval'],
  [/^(window|windowSeconds)\b/, 'window'],
  [/^gates\.(minRequests|maxErrorRate|maxErrorRateIncrease|maxP99Ms|maxP99Ratio)\b/, (m) => m[1] as GateField],
  [/^gates\.custom(?:\[(\d+)\]|\.(\d+))/, (m) => `custom.${Number(m[1] ?? m[2])}`],
  [/^gates\b/, 'gates'],
  [/^(stable|candidate|maxFailedChecks|preset)\b/, (m) => m[1] as FormField],
  [/^(route|routeName|plan)\b/, 'plan'],
];

/** The form's place for an API field path, if it has one. */
export function fieldOfPath(path: string): FormField | undefined {
  if (/^reason\b/.test(path)) return 'reason';
  const inPlan = path.replace(/^plan\./, '');
  for (const [pattern, field] of PATH_FIELDS) {
    const match = inPlan.match(pattern);
    if (match) return typeof field === 'function' ? field(match) : field;
  }
  return undefined;
}

/**
 * The API's messages per form field, from a 400's `details.fields` ({ path: message }) when it
 * has them, else from its message ("plan.steps: must increase; plan.gates.custom[0]: …"). Messages
 * that name no field of the form stay in the outcome's own message.
 */
export function serverFieldMessages(refusal: { message: string; fields?: Record<string, string> }): Partial<Record<FormField, string>> {
  const pairs: [string, string][] = refusal.fields
    ? Object.entries(refusal.fields)
    : refusal.message.split(/;\s+(?=[\w.[\]]+:\s)/).flatMap((part): [string, string][] => {
        const match = part.match(/^([\w.[\]]+):\s+(.*)$/s);
        return match ? [[match[1]!, match[2]!]] : [];
      });
  const out: Partial<Record<FormField, string>> = {};
  for (const [path, message] of pairs) {
    const field = fieldOfPath(path);
    if (field) out[field] = out[field] ? `${out[field]}; ${message}` : message;
  }
  return out;
}
