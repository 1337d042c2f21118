'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { stringify } from 'yaml';
import { useDenial } from '@/components/auth/user-context';
import { EditFlowSection } from '@/components/ui/edit-flow';
import { POLICY_FIELDS, PRESETS, consequences, fromForm, toForm, validateField, type FormValues } from '@/lib/mesh/resilience';
import { queryKeys } from '@/lib/queries/keys';
import { policyUrl, type ResilienceView } from '@/lib/queries/resilience';
import { useEditFlow } from '@/lib/queries/use-edit-flow';
import { AddSetting } from './add-setting';
import { DurationReading } from './duration-reading';
import { POLICY_GROUPS } from './policy-summary';
import styles from './resilience.module.css';

/** The traffic policy of a DestinationRule, or of one of its subsets: the set fields, "add setting" for the others, and its review and apply. */
export function PolicyEditor({ rule, target }: { rule: ResilienceView['rules'][number]; target: ResilienceView['rules'][number]['targets'][number] }) {
  const denial = useDenial('resilience:write');
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<{ base: string; values: FormValues } | null>(null);
  // Fields the person added with "Add setting" (still empty, so not yet "set").
  const [added, setAdded] = useState<string[]>([]);
  const form = useMemo(() => toForm(target.policy), [target.policy]);
  // A subset's own policy replaces the top-level one field group by field group.
  const notes = useMemo(
    () => consequences(target.subset === undefined ? target.policy : { ...rule.targets[0]?.policy, ...target.policy }, target.endpoints),
    [rule.targets, target],
  );
  const values = draft?.values ?? form;
  const who = `${rule.host.split('.')[0]} ${target.subset ?? 'all subsets'}`;
  const flow = useEditFlow<{ item: { resourceVersion: string } }>({
    write: { url: policyUrl(rule.namespace, rule.name), body: ({ reason, resourceVersion }) => ({ resourceVersion, reason, subset: target.subset, values }) },
    baseVersion: draft?.base ?? rule.resourceVersion,
    // The page keeps reading the cluster: after a conflict, its version is the latest.
    latestVersion: () => rule.resourceVersion,
    onApplied: ({ item }) => {
      setDraft(null);
      setAdded([]);
      // The answer names the new version only: the page's answer for this namespace is read again.
      void queryClient.invalidateQueries({ queryKey: queryKeys.resilience.list(rule.namespace) });
      return `Applied to ${who} (resourceVersion ${item.resourceVersion}).`;
    },
  });
  // The server's own checks, per field, from its last refusal.
  const serverErrors = (flow.state.step === 'refused' && flow.state.fields) || {};
  const changed = Object.keys(values).some((k) => (values[k] ?? '') !== (form[k] ?? ''));
  const errors = {
    ...Object.fromEntries(POLICY_FIELDS.map((f) => [f.key, validateField(f, values[f.key] ?? '')]).filter(([, e]) => e)),
    ...fromForm(values, target.policy).errors,
    ...serverErrors,
  };
  const edit = (key: string, value: string) => {
    flow.edited();
    setDraft({ base: draft?.base ?? rule.resourceVersion, values: { ...values, [key]: value } });
  };
  const id = (key: string) => `${rule.name}-${target.subset ?? 'all'}-${key}`.replace(/[^a-zA-Z0-9-]/g, '-');
  // Set (stored or typed) fields and the ones just added show; the rest are behind "Add setting".
  const shown = (key: string) => form[key] !== '' || (values[key] ?? '') !== '' || added.includes(key);
  const hidden = POLICY_FIELDS.filter((f) => !shown(f.key));
  return (
    <section className={`route ${styles.editor}`} aria-label={`Traffic policy of ${who}`}>
      <h3 className={styles.editorTitle}>
        {target.label}{' '}
        <span className="muted">
          ({target.endpoints} endpoint{target.endpoints === 1 ? '' : 's'}
          {target.inherits && !changed ? ', inherits the top-level policy' : ''})
        </span>
      </h3>
      {notes.length > 0 && (
        // Open for the top-level policy; a subset's notes mostly repeat it, so they wait behind their summary.
        <details className={styles.notes} open={target.subset === undefined}>
          <summary>What this policy means ({notes.length})</summary>
          <ul className="hint">
            {notes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </details>
      )}
      <fieldset disabled={Boolean(denial)} className={styles.fields}>
        <legend className="visually-hidden">Settings of {who}</legend>
        {POLICY_GROUPS.map((g) => {
          const fields = POLICY_FIELDS.filter((f) => f.key.startsWith(`${g.id}.`) && shown(f.key));
          if (fields.length === 0) return null;
          return (
            <div key={g.id} role="group" aria-label={`${g.title} of ${who}`} className={styles.fieldGroup}>
              <h4>{g.title}</h4>
              {fields.map((f) => (
                <div key={f.key} className={styles.field}>
                  <label htmlFor={`${id(f.key)}-input`}>{f.label}</label>
                  {f.kind === 'enum' || f.kind === 'bool' ? (
                    <select
                      id={`${id(f.key)}-input`}
                      aria-label={`${who} ${f.label}`}
                      value={values[f.key] ?? ''}
                      autoFocus={added.at(-1) === f.key}
                      onChange={(e) => edit(f.key, e.target.value)}
                    >
                      <option value="">unset</option>
                      {(f.kind === 'bool' ? ['true', 'false'] : f.values!).map((v) => (
                        <option key={v}>{v}</option>
                      ))}
                    </select>
                  ) : (
                    <input
                      id={`${id(f.key)}-input`}
                      aria-label={`${who} ${f.label}`}
                      aria-invalid={Boolean(errors[f.key])}
                      aria-describedby={errors[f.key] ? id(f.key) : undefined}
                      value={values[f.key] ?? ''}
                      placeholder="unset"
                      title={f.help}
                      autoFocus={added.at(-1) === f.key}
                      onChange={(e) => edit(f.key, e.target.value)}
                    />
                  )}
                  <span className={styles.fieldNote}>
                    {f.unit && !errors[f.key] && <span className="muted">{f.unit}</span>}
                    {errors[f.key] ? (
                      <span id={id(f.key)} role="alert" className="field-error">
                        {errors[f.key]}
                      </span>
                    ) : (
                      f.kind === 'duration' && <DurationReading value={values[f.key] ?? ''} />
                    )}
                    {form[f.key] !== '' && (values[f.key] ?? '') === '' && <span className="muted">removed</span>}
                  </span>
                </div>
              ))}
            </div>
          );
        })}
      </fieldset>
      {!denial && (
        <div className="toolbar">
          <AddSetting
            who={who}
            options={hidden.map((f) => ({ key: f.key, label: f.label, group: POLICY_GROUPS.find((g) => f.key.startsWith(`${g.id}.`))?.title }))}
            onAdd={(key) => setAdded([...added, key])}
          />
          <select
            className={styles.addSetting}
            aria-label={`Preset for ${who}`}
            value=""
            onChange={(e) => {
              const preset = PRESETS.find((p) => p.name === e.target.value);
              // A preset sets the breaker (connection pool, outlier detection); load balancing and TLS stay.
              const cleared = Object.fromEntries(POLICY_FIELDS.filter((f) => /^(connectionPool|outlierDetection)\./.test(f.key)).map((f) => [f.key, '']));
              if (preset) flow.edited();
              if (preset) setDraft({ base: draft?.base ?? rule.resourceVersion, values: { ...values, ...cleared, ...presetForm(preset.policy) } });
            }}
          >
            <option value="">Preset…</option>
            {PRESETS.map((p) => (
              <option key={p.name} value={p.name} title={p.explanation}>
                {p.name}
              </option>
            ))}
          </select>
          <details className={styles.presetHelp}>
            <summary>What the presets set</summary>
            <ul className="hint">
              {PRESETS.map((p) => (
                <li key={p.name}>
                  <strong>{p.name}</strong>: {p.explanation}
                </li>
              ))}
            </ul>
          </details>
        </div>
      )}
      <EditFlowSection
        flow={flow}
        action="resilience:write"
        what="DestinationRule"
        label={`Review of the traffic policy of ${who}`}
        changed={changed}
        disabled={denial}
        diffLabel={`Change to the traffic policy of ${who}`}
        applyLabel={`Apply policy of ${who}`}
        check={() => Object.keys(errors).length === 0}
        mine={<pre className="diff">{stringify(fromForm(values, target.policy).policy)}</pre>}
        now={() => <pre className="diff">{stringify(target.policy)}</pre>}
        reapplyLabel={`Apply my values on the latest version (${rule.resourceVersion})`}
        onDiscard={() => (setDraft(null), flow.edited())}
      />
    </section>
  );
}

function presetForm(policy: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  const walk = (node: unknown, path: string[]) => {
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
    else out[path.join('.')] = String(node);
  };
  walk(policy, []);
  return out;
}
