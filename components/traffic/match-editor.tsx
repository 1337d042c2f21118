'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EditFlowSection } from '@/components/ui/edit-flow';
import {
  emptyMatchForm,
  formProblems,
  fromMatchForm,
  STRING_FIELDS,
  toMatchForm,
  type ConditionFieldName,
  type KeyedCondition,
  type MatchForm,
  type Operator,
  type StringField,
} from '@/lib/mesh/match';
import { describeMatch, type RouteView, type VirtualServiceView } from '@/lib/mesh/traffic-split';
import { routeUrl, storeVirtualService } from '@/lib/queries/traffic';
import { useEditFlow } from '@/lib/queries/use-edit-flow';

const OPERATOR_TEXT: Record<Operator | 'any', string> = { any: '(any)', exact: 'equals', prefix: 'starts with', regex: 'matches regex', present: 'is present' };

// Istio matches query parameters exactly or by regex only.
const CONDITIONS: { field: ConditionFieldName; noun: string; add: string; keyLabel: string; operators: Operator[] }[] = [
  { field: 'headers', noun: 'condition', add: 'Add header condition', keyLabel: 'header', operators: ['exact', 'prefix', 'regex', 'present'] },
  {
    field: 'withoutHeaders',
    noun: 'without-header',
    add: 'Add without-header condition',
    keyLabel: 'name',
    operators: ['exact', 'prefix', 'regex', 'present'],
  },
  { field: 'queryParams', noun: 'query parameter', add: 'Add query parameter', keyLabel: 'name', operators: ['exact', 'regex', 'present'] },
];

/**
 * Edits a route's match blocks, every HTTPMatchRequest field: conditions inside a block are
 * ANDed, blocks are alternatives. Checked as Istio checks them (lib/mesh/match) before saving.
 */
export function MatchEditor({ vs, route, onClose }: { vs: VirtualServiceView; route: RouteView; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [forms, setForms] = useState<MatchForm[]>(() => route.match.map(toMatchForm));
  // The version the editor opened on: a change since then is a conflict at review or apply.
  const [base] = useState(vs.resourceVersion);
  const [submitted, setSubmitted] = useState(false);
  const errors = formProblems(forms);
  const flow = useEditFlow<{ item: VirtualServiceView }>({
    write: { url: routeUrl(vs, route.index, 'match'), body: ({ reason, resourceVersion }) => ({ resourceVersion, reason, match: forms.map(fromMatchForm) }) },
    baseVersion: base,
    onApplied: ({ item }) => {
      storeVirtualService(queryClient, item);
      onClose();
      return `Match rules of ${route.name} saved`;
    },
  });
  const edit = (next: MatchForm[]) => {
    flow.edited();
    setForms(next);
  };
  const update = (b: number, fn: (form: MatchForm) => MatchForm) => edit(forms.map((form, i) => (i === b ? fn(form) : form)));
  const move = (b: number, by: number) => {
    const next = [...forms];
    const [form] = next.splice(b, 1);
    next.splice(b + by, 0, form!);
    edit(next);
  };
  const describe = (matches: ReturnType<typeof fromMatchForm>[]) => (matches.length ? matches.map(describeMatch).join(' or ') : 'all requests');

  return (
    <section className="match-editor" aria-label={`Match rules of route ${route.name}`}>
      {forms.length === 0 && <p className="hint">No match: this route takes every request that reaches it.</p>}
      {forms.map((form, b) => {
        const at = `Match ${b + 1}`;
        const set = (patch: Partial<MatchForm>) => update(b, (f) => ({ ...f, ...patch }));
        return (
          <fieldset key={b} className="match-block">
            <legend>
              {at}: {describeMatch(fromMatchForm(form))}
            </legend>
            <div className="match-fields">
              <label className="field">
                Name
                <input aria-label={`${at} name`} value={form.name} onChange={(e) => set({ name: e.target.value })} />
              </label>
              {STRING_FIELDS.map((field) => (
                <StringFieldInput key={field} at={at} field={field} value={form[field]} onChange={(value) => set({ [field]: value })} />
              ))}
              <label className="field field-inline">
                <input
                  type="checkbox"
                  aria-label={`${at} ignore uri case`}
                  checked={form.ignoreUriCase === true}
                  onChange={(e) => set({ ignoreUriCase: e.target.checked ? true : form.ignoreUriCase === false ? false : undefined })}
                />
                Ignore case of the uri
              </label>
              <label className="field">
                Port
                <input aria-label={`${at} port`} inputMode="numeric" value={form.port} onChange={(e) => set({ port: e.target.value })} />
              </label>
              <label className="field">
                Gateways (comma-separated: mesh, name or namespace/name)
                <input aria-label={`${at} gateways`} value={form.gateways} onChange={(e) => set({ gateways: e.target.value })} />
              </label>
              <label className="field">
                Source namespace
                <input aria-label={`${at} source namespace`} value={form.sourceNamespace} onChange={(e) => set({ sourceNamespace: e.target.value })} />
              </label>
              <label className="field">
                Stat prefix
                <input aria-label={`${at} stat prefix`} value={form.statPrefix} onChange={(e) => set({ statPrefix: e.target.value })} />
              </label>
            </div>
            {CONDITIONS.map((kind) => (
              <Conditions key={kind.field} at={at} b={b} kind={kind} rows={form[kind.field]} onChange={(rows) => set({ [kind.field]: rows })} />
            ))}
            {form.sourceLabels.map((label, i) => (
              <div key={i} className="condition">
                <input
                  aria-label={`${at} source label ${i + 1} key`}
                  value={label.key}
                  onChange={(e) => set({ sourceLabels: form.sourceLabels.map((l, k) => (k === i ? { ...l, key: e.target.value.trim() } : l)) })}
                />
                <span aria-hidden="true">=</span>
                <input
                  aria-label={`${at} source label ${i + 1} value`}
                  value={label.value}
                  onChange={(e) => set({ sourceLabels: form.sourceLabels.map((l, k) => (k === i ? { ...l, value: e.target.value } : l)) })}
                />
                <button
                  type="button"
                  className="button button-quiet button-small"
                  onClick={() => set({ sourceLabels: form.sourceLabels.filter((_, k) => k !== i) })}
                >
                  Remove source label {i + 1}
                </button>
              </div>
            ))}
            <div className="toolbar">
              {CONDITIONS.map((kind) => (
                <button
                  key={kind.field}
                  type="button"
                  className="button button-quiet button-small"
                  onClick={() => set({ [kind.field]: [...form[kind.field], { key: '', operator: 'exact', value: '' }] })}
                >
                  {kind.add} to match {b + 1}
                </button>
              ))}
              <button
                type="button"
                className="button button-quiet button-small"
                onClick={() => set({ sourceLabels: [...form.sourceLabels, { key: '', value: '' }] })}
              >
                Add source label to match {b + 1}
              </button>
              <button type="button" className="button button-quiet button-small" disabled={b === 0} onClick={() => move(b, -1)}>
                Move match {b + 1} up
              </button>
              <button type="button" className="button button-quiet button-small" disabled={b === forms.length - 1} onClick={() => move(b, 1)}>
                Move match {b + 1} down
              </button>
              <button type="button" className="button button-quiet button-small" onClick={() => edit(forms.filter((_, i) => i !== b))}>
                Remove match {b + 1}
              </button>
            </div>
          </fieldset>
        );
      })}
      <div className="toolbar">
        <button
          type="button"
          className="button button-quiet button-small"
          onClick={() => edit([...forms, { ...emptyMatchForm(), headers: [{ key: '', operator: 'exact', value: '' }] }])}
        >
          Add match
        </button>
      </div>
      {submitted && errors.length > 0 && (
        <ul role="alert" className="notice-inline bad">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <EditFlowSection
        flow={flow}
        action="traffic:write"
        what="VirtualService"
        label={`Review of the match rules of ${route.name}`}
        changed
        applyLabel="Save match rules"
        check={() => (setSubmitted(true), errors.length === 0)}
        mine={describe(forms.map(fromMatchForm))}
        now={(current) => {
          const now = (current as VirtualServiceView | undefined)?.routes[route.index];
          return now && describe(now.match);
        }}
        reapplyLabel="Save my match rules on the latest version"
        onDiscard={onClose}
      />
    </section>
  );
}

function StringFieldInput({ at, field, value, onChange }: { at: string; field: string; value: StringField; onChange: (value: StringField) => void }) {
  // "is present" ({}) is kept when stored, not offered: for these fields it matches everything.
  const operators: (Operator | 'any')[] = ['any', 'exact', 'prefix', 'regex', ...(value.operator === 'present' ? (['present'] as const) : [])];
  return (
    <div className="condition">
      <span className="condition-name">{field}</span>
      <select
        aria-label={`${at} ${field} operator`}
        value={value.operator}
        onChange={(e) => onChange({ ...value, operator: e.target.value as Operator | 'any' })}
      >
        {operators.map((op) => (
          <option key={op} value={op}>
            {OPERATOR_TEXT[op]}
          </option>
        ))}
      </select>
      {value.operator !== 'any' && value.operator !== 'present' && (
        <input aria-label={`${at} ${field} value`} value={value.value} onChange={(e) => onChange({ ...value, value: e.target.value })} />
      )}
    </div>
  );
}

function Conditions({
  at,
  b,
  kind,
  rows,
  onChange,
}: {
  at: string;
  b: number;
  kind: (typeof CONDITIONS)[number];
  rows: KeyedCondition[];
  onChange: (rows: KeyedCondition[]) => void;
}) {
  const change = (i: number, patch: Partial<KeyedCondition>) => onChange(rows.map((row, k) => (k === i ? { ...row, ...patch } : row)));
  const operators = (current: Operator) => (kind.operators.includes(current) ? kind.operators : [...kind.operators, current]);
  return rows.map((c, i) => {
    const name = `${at} ${kind.noun} ${i + 1}`;
    return (
      <div key={`${kind.field}-${i}`} className="condition">
        <input aria-label={`${name} ${kind.keyLabel}`} value={c.key} onChange={(e) => change(i, { key: e.target.value.trim() })} />
        <select aria-label={`${name} operator`} value={c.operator} onChange={(e) => change(i, { operator: e.target.value as Operator })}>
          {operators(c.operator).map((op) => (
            <option key={op} value={op}>
              {OPERATOR_TEXT[op]}
            </option>
          ))}
        </select>
        {c.operator !== 'present' && <input aria-label={`${name} value`} value={c.value} onChange={(e) => change(i, { value: e.target.value })} />}
        <button type="button" className="button button-quiet button-small" onClick={() => onChange(rows.filter((_, k) => k !== i))}>
          Remove {kind.noun} {i + 1}
          <span className="visually-hidden"> of match {b + 1}</span>
        </button>
      </div>
    );
  });
}

/** A 409: the route's match as it is in the cluster now, beside the edited one, and a way to save the edit on the latest version. */
