'use client';

import Link from 'next/link';
import { useContext, useId, useState, type ReactNode } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { rolloutHref } from '@/components/rollouts/rollout-links';
import { EditFlowOutcome, EditFlowSection } from '@/components/ui/edit-flow';
import type { RolloutPlanInput } from '@/lib/api/rollout-schemas';
import { BUILTIN_PRESETS, ROLLOUT_ANNOTATION, summarize, type RolloutPreset } from '@/lib/mesh/rollout';
import { describeSplit, type DestinationView, type RouteView, type VirtualServiceView } from '@/lib/mesh/traffic-split';
import { useRolloutPresets } from '@/lib/queries/rollouts';
import { useRolloutStart } from '@/lib/queries/rollouts-writes';
import type { EditFlow } from '@/lib/queries/use-edit-flow';
import { routeId } from './route-drafts';
import {
  GATE_FIELDS,
  destinationKey,
  destinationName,
  initialForm,
  notAVersionConflict,
  orderPresets,
  planInput,
  presetFor,
  serverFieldMessages,
  startBlocker,
  withPreset,
  type CustomGateDraft,
  type FormField,
  type GateField,
  type RolloutForm,
} from './rollout-form';
import { RolloutProblem, RolloutStateLink, StartRolloutContext, routeRollout } from './rollout-state';
import styles from './rollout.module.css';

/**
 * A route's rollout in the drawer, next to its weights' Apply: the rollout's state when one moves
 * this route, and "Start rollout" (for people who may start one; off, with the reason, when the
 * VirtualService is another controller's or a rollout is already active on it).
 */
export function RouteRollout({ vs, route }: { vs: VirtualServiceView; route: RouteView }) {
  const open = useContext(StartRolloutContext);
  const denial = useDenial('rollout:write', vs.namespace);
  const rollout = routeRollout(vs, route.index);
  const blocker = startBlocker(vs);
  const reasonId = useId();
  if (!route.weighted && !rollout) return null;
  return (
    <div className={styles.routeRollout}>
      {rollout && <RolloutStateLink rollout={rollout} />}
      {vs.rolloutProblem && <RolloutProblem problem={vs.rolloutProblem} />}
      {route.weighted && !denial && (
        <div className="toolbar">
          <button
            type="button"
            className="button button-small"
            disabled={Boolean(blocker)}
            aria-describedby={blocker ? reasonId : undefined}
            onClick={() => open(routeId(vs, route.index))}
          >
            Start rollout
          </button>
          {blocker ? (
            <span id={reasonId} className="hint">
              {blocker}
            </span>
          ) : (
            <span className="hint">Moves traffic to a candidate step by step, checks each step&apos;s gates, and rolls back by itself when they fail.</span>
          )}
        </div>
      )}
    </div>
  );
}

/** The "Start rollout" dialog's content: the plan's fields (from the presets the API lists), its preview and its start. */
export function StartRolloutForm({ vs, route }: { vs: VirtualServiceView; route: RouteView }) {
  const presets = useRolloutPresets(vs.namespace);
  if (presets.isPending) return <p className="hint">Loading the rollout presets of {vs.namespace}…</p>;
  return (
    <>
      {presets.isError && (
        <p role="note" className="notice-inline warn">
          The mesh&apos;s presets could not be read ({presets.error.message}): the built-in ones are offered.
        </p>
      )}
      <PlanForm vs={vs} route={route} presets={orderPresets(presets.data?.items ?? BUILTIN_PRESETS, vs.namespace, route.destinations)} />
    </>
  );
}

const EMPTY_GATE: CustomGateDraft = { name: '', query: '', max: '', min: '' };

function PlanForm({ vs, route, presets }: { vs: VirtualServiceView; route: RouteView; presets: RolloutPreset[] }) {
  const [form, setForm] = useState(() => initialForm(route, vs.canaryVersions, presets));
  // The version the person planned on: the start's precondition.
  const [base] = useState(vs.resourceVersion);
  const [local, setLocal] = useState<Partial<Record<FormField, string>>>({});
  const gatesErrorId = useId();
  const denial = useDenial('rollout:write', vs.namespace);
  const input = planInput(form, route, route.declaredName);
  const flow = useRolloutStart(vs, () => input.plan!, {
    baseVersion: base,
    applied: ({ item }) =>
      `Rollout started on ${vs.name} route ${route.name}: ${summarize(item.namespace, item.name, item.resourceVersion, item.state).headline}.`,
  });
  const shown = asRefusal(flow, base);
  const server = shown.state.step === 'refused' ? serverFieldMessages(shown.state) : {};
  const messages: Partial<Record<FormField, string>> = { ...local, ...server };
  const edit = (change: Partial<RolloutForm>) => {
    flow.edited();
    setLocal({});
    setForm({ ...form, ...change });
  };
  const byKey = new Map(route.destinations.map((d) => [destinationKey(d), d]));
  const stable = byKey.get(form.stable);
  const candidate = byKey.get(form.candidate);
  const chosenPreset = presets.find((p) => p.name === form.preset);
  const mine = `${candidate ? destinationName(candidate) : 'the candidate'} through ${form.steps || 'no steps'} %, ${form.stepDuration || '?'} per step`;

  if (flow.state.step === 'applied') {
    return (
      <div className={styles.started}>
        <EditFlowOutcome flow={flow} action="rollout:write" what="VirtualService" mine={mine} now={() => undefined} />
        <p>
          <Link href={rolloutHref(vs)}>Open the rollout of {vs.name}</Link> to follow its steps and their gates.
        </p>
      </div>
    );
  }

  return (
    <div className={styles.form}>
      <p className="hint">
        {vs.namespace}/{vs.name}, route {route.name}: {describeSplit(route.destinations)} now. Each step moves the candidate to its weight; the gates are
        measured every check interval and the step passes once its time is up and its checks pass. Failed checks in a row roll back to the stable.
      </p>
      <fieldset className={styles.group} disabled={flow.busy}>
        <legend>Plan</legend>
        <div className={styles.fields}>
          <Field label="Preset" hint={chosenPreset?.description} error={messages.preset} wide>
            {(props) => (
              <select
                {...props}
                value={form.preset}
                onChange={(e) => {
                  const preset = presets.find((p) => p.name === e.target.value);
                  if (preset) edit(withPreset(form, preset));
                }}
              >
                {form.preset === '' && <option value="">(none)</option>}
                {presets.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.name}
                    {presetFor(p, vs.namespace, route.destinations) ? ' (for this service)' : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {(['stable', 'candidate'] as const).map((role) => (
            <Field key={role} label={role === 'stable' ? 'Stable' : 'Candidate'} error={messages[role]}>
              {(props) => (
                <select {...props} value={form[role]} onChange={(e) => edit({ [role]: e.target.value })}>
                  {route.destinations.map((d) => (
                    <option key={destinationKey(d)} value={destinationKey(d)}>
                      {destinationName(d)} ({d.weight} %)
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ))}
          <Field label="Steps" hint="The candidate's weight at each step, increasing, e.g. 5, 10, 25, 50, 100." error={messages.steps} wide>
            {(props) => <input {...props} value={form.steps} inputMode="numeric" onChange={(e) => edit({ steps: e.target.value })} />}
          </Field>
          {(
            [
              ['stepDuration', 'Time per step', 'How long each step lasts at least, as a Go duration: 90s, 5m, 1h30m.'],
              ['interval', 'Check interval', 'How often the gates are measured.'],
              ['window', 'Window', 'The rate window of the gate queries.'],
            ] as const
          ).map(([key, label, hint]) => (
            <Field key={key} label={label} hint={hint} error={messages[key]}>
              {(props) => <input {...props} value={form[key]} spellCheck={false} autoCapitalize="off" onChange={(e) => edit({ [key]: e.target.value })} />}
            </Field>
          ))}
        </div>
      </fieldset>
      <fieldset className={styles.group} disabled={flow.busy} aria-describedby={messages.gates ? gatesErrorId : undefined}>
        <legend>Gates</legend>
        {messages.gates && (
          <p id={gatesErrorId} role="alert" className="field-error">
            {messages.gates}
          </p>
        )}
        <div className={styles.fields}>
          {(Object.entries(GATE_FIELDS) as [GateField, (typeof GATE_FIELDS)[GateField]][]).map(([key, gate]) => (
            <Field key={key} label={gate.label} hint={gate.hint} error={messages[key]}>
              {(props) => (
                <input {...props} type="number" min={0} step={gate.whole ? 1 : 'any'} value={form[key]} onChange={(e) => edit({ [key]: e.target.value })} />
              )}
            </Field>
          ))}
        </div>
        <CustomGates gates={form.custom} messages={messages} onChange={(custom) => edit({ custom })} />
      </fieldset>
      <fieldset className={styles.group} disabled={flow.busy}>
        <legend>Failure policy</legend>
        <div className={styles.fields}>
          <Field label="Failed checks before rollback" hint="Failed checks in a row at a step that roll back to the stable." error={messages.maxFailedChecks}>
            {(props) => (
              <input {...props} type="number" min={1} step={1} value={form.maxFailedChecks} onChange={(e) => edit({ maxFailedChecks: e.target.value })} />
            )}
          </Field>
        </div>
      </fieldset>
      {messages.plan && (
        <p role="alert" className="field-error">
          {messages.plan}
        </p>
      )}
      <EditFlowSection
        flow={shown}
        action="rollout:write"
        what="VirtualService"
        label={`Review of the rollout on ${vs.name} route ${route.name}`}
        changed
        disabled={denial}
        heading={firstStep(vs, input.plan, candidate, stable)}
        reasonLabel="Reason"
        reasonPlaceholder="e.g. release 2.4 of the candidate"
        applyLabel="Start"
        mine={mine}
        now={(current) => conflictNow(current, route.index)}
        reapplyLabel="Start on the latest version"
        check={() => {
          setLocal(input.problems ?? {});
          return !input.problems;
        }}
      />
    </div>
  );
}

/** What the preview's diff shows, in words: the first step's weights, and where the plan is kept. */
function firstStep(vs: VirtualServiceView, plan: RolloutPlanInput | undefined, candidate?: DestinationView, stable?: DestinationView): string {
  const first = plan?.steps?.[0];
  const split =
    first !== undefined && candidate && stable
      ? `${destinationName(candidate)} ${first} %, ${destinationName(stable)} ${100 - first} % at step 1 of ${plan!.steps!.length}`
      : 'step 1';
  return `${vs.namespace}/${vs.name}: ${split}; the plan and its progress are kept in the ${ROLLOUT_ANNOTATION} annotation`;
}

/** A 409 that is no version conflict (see notAVersionConflict) shown as the refusal it is. */
function asRefusal(flow: EditFlow, base: string): EditFlow {
  const { state } = flow;
  if (state.step !== 'conflict') return flow;
  const why = notAVersionConflict(state.current as VirtualServiceView | undefined, base, state.message);
  return why ? { ...flow, state: { step: 'refused', status: 409, message: why, during: state.during } } : flow;
}

/** The route as the cluster has it now, from a 409's `current` (the VirtualService's view). */
function conflictNow(current: unknown, index: number): ReactNode {
  const view = current as VirtualServiceView | undefined;
  const routeNow = view?.routes[index];
  if (!view || !routeNow) return undefined;
  return `${describeSplit(routeNow.destinations)}${view.rollout ? `, rollout ${view.rollout.headline}` : ''} (resourceVersion ${view.resourceVersion})`;
}

interface FieldProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
}

/** A labelled field: the label is its accessible name, the hint and the error its description. */
function Field({
  label,
  hint,
  error,
  wide,
  children,
}: {
  label: string;
  hint?: string;
  error?: string;
  wide?: boolean;
  children: (props: FieldProps) => ReactNode;
}) {
  const id = useId();
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div className={`${styles.field} ${wide ? styles.wide : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {error && (
        <span id={`${id}-error`} role="alert" className="field-error">
          {error}
        </span>
      )}
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
    </div>
  );
}

/** Business-metric gates: PromQL answering one number, with a maximum, a minimum or both. */
function CustomGates({
  gates,
  messages,
  onChange,
}: {
  gates: CustomGateDraft[];
  messages: Partial<Record<FormField, string>>;
  onChange: (gates: CustomGateDraft[]) => void;
}) {
  const set = (i: number, change: Partial<CustomGateDraft>) => onChange(gates.map((g, k) => (k === i ? { ...g, ...change } : g)));
  return (
    <div className={styles.custom}>
      <h4 className={styles.subheading}>Custom PromQL gates</h4>
      <p className="hint">$window, $namespace, $service, $candidate and $stable are replaced before the query runs; the check fails above Max or below Min.</p>
      {gates.length > 0 && (
        <ol className={styles.customList}>
          {gates.map((g, i) => {
            const n = i + 1;
            const error = messages[`custom.${i}`];
            return (
              <li key={i} className={styles.customGate} aria-label={`Custom gate ${n}`}>
                <div className={styles.fields}>
                  <Field label={`Name of custom gate ${n}`}>
                    {(props) => <input {...props} value={g.name} onChange={(e) => set(i, { name: e.target.value })} />}
                  </Field>
                  <Field label={`Query of custom gate ${n}`} wide>
                    {(props) => <textarea {...props} rows={2} spellCheck={false} value={g.query} onChange={(e) => set(i, { query: e.target.value })} />}
                  </Field>
                  <Field label={`Max of custom gate ${n}`}>
                    {(props) => <input {...props} type="number" step="any" value={g.max} onChange={(e) => set(i, { max: e.target.value })} />}
                  </Field>
                  <Field label={`Min of custom gate ${n}`}>
                    {(props) => <input {...props} type="number" step="any" value={g.min} onChange={(e) => set(i, { min: e.target.value })} />}
                  </Field>
                </div>
                {error && (
                  <p role="alert" className="field-error">
                    {error}
                  </p>
                )}
                <button type="button" className="button button-quiet button-small" onClick={() => onChange(gates.filter((_, k) => k !== i))}>
                  Remove custom gate {n}
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className="button button-quiet button-small" onClick={() => onChange([...gates, EMPTY_GATE])}>
        Add custom gate
      </button>
    </div>
  );
}
