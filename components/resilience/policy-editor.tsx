'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { stringify } from 'yaml';
import { useDenial } from '@/components/auth/user-context';
import { DiffView } from '@/components/traffic/diff-view';
import { ConflictView } from '@/components/ui/conflict-view';
import { HttpError } from '@/lib/queries/fetch-json';
import { POLICY_FIELDS, PRESETS, consequences, fromForm, toForm, validateField, type FormValues } from '@/lib/mesh/resilience';
import { putPolicy, type ResilienceView } from '@/lib/queries/resilience';
import { DurationReading, isConflict } from './duration-reading';

const GROUPS = [
  { title: 'Load balancing', prefix: 'loadBalancer' },
  { title: 'Connection pool', prefix: 'connectionPool' },
  { title: 'Outlier detection', prefix: 'outlierDetection' },
  { title: 'TLS', prefix: 'tls' },
];

/** The traffic policy of a DestinationRule, or of one of its subsets, as a form with its review and apply. */
export function PolicyEditor({ rule, target }: { rule: ResilienceView['rules'][number]; target: ResilienceView['rules'][number]['targets'][number] }) {
  const denial = useDenial('resilience:write');
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<{ base: string; values: FormValues } | null>(null);
  const [reason, setReason] = useState('');
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const form = useMemo(() => toForm(target.policy), [target.policy]);
  // A subset's own policy replaces the top-level one field group by field group.
  const notes = useMemo(
    () => consequences(target.subset === undefined ? target.policy : { ...rule.targets[0]?.policy, ...target.policy }, target.endpoints),
    [rule.targets, target],
  );
  const values = draft?.values ?? form;
  const changed = Object.keys(values).some((k) => (values[k] ?? '') !== (form[k] ?? ''));
  const errors = {
    ...Object.fromEntries(POLICY_FIELDS.map((f) => [f.key, validateField(f, values[f.key] ?? '')]).filter(([, e]) => e)),
    ...fromForm(values, target.policy).errors,
    ...serverErrors,
  };
  const save = useMutation({
    mutationFn: (base: string) => putPolicy(rule.namespace, rule.name, { resourceVersion: base, reason, subset: target.subset, values }),
    onSuccess: () => {
      setDraft(null);
      setReason('');
      void queryClient.invalidateQueries({ queryKey: ['resilience'] });
    },
    onError: (error) => {
      const fields =
        (error instanceof HttpError && (error.body as { error?: { details?: { fields?: Record<string, string> } } })?.error?.details?.fields) || {};
      setServerErrors(fields);
    },
  });
  const edit = (key: string, value: string) => {
    setServerErrors({});
    setDraft({ base: draft?.base ?? rule.resourceVersion, values: { ...values, [key]: value } });
  };
  const id = (key: string) => `${rule.name}-${target.subset ?? 'all'}-${key}`.replace(/[^a-zA-Z0-9-]/g, '-');
  const who = `${rule.host.split('.')[0]} ${target.subset ?? 'all subsets'}`;
  return (
    <section className="route" aria-label={`Traffic policy of ${who}`}>
      <h3>
        {target.label}{' '}
        <span className="muted">
          ({target.endpoints} endpoint{target.endpoints === 1 ? '' : 's'}
          {target.inherits ? ', inherits the top-level policy' : ''})
        </span>
      </h3>
      {notes.length > 0 && (
        <ul className="hint">
          {notes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      )}
      <fieldset disabled={Boolean(denial)} className="policy-form">
        {GROUPS.map((g) => (
          <div key={g.prefix} className="field-group">
            <h4>{g.title}</h4>
            {POLICY_FIELDS.filter((f) => f.key.startsWith(g.prefix)).map((f) => (
              <label key={f.key} className="field">
                <span>
                  {f.label} {f.unit && <span className="muted">({f.unit})</span>}
                </span>
                {f.kind === 'enum' || f.kind === 'bool' ? (
                  <select aria-label={`${who} ${f.label}`} value={values[f.key] ?? ''} onChange={(e) => edit(f.key, e.target.value)}>
                    <option value="">unset</option>
                    {(f.kind === 'bool' ? ['true', 'false'] : f.values!).map((v) => (
                      <option key={v}>{v}</option>
                    ))}
                  </select>
                ) : (
                  <input
                    aria-label={`${who} ${f.label}`}
                    aria-invalid={Boolean(errors[f.key])}
                    aria-describedby={errors[f.key] ? id(f.key) : undefined}
                    value={values[f.key] ?? ''}
                    placeholder="unset"
                    onChange={(e) => edit(f.key, e.target.value)}
                  />
                )}
                {errors[f.key] && (
                  <span id={id(f.key)} role="alert" className="field-error">
                    {errors[f.key]}
                  </span>
                )}
                {f.kind === 'duration' && !errors[f.key] && <DurationReading value={values[f.key] ?? ''} />}
              </label>
            ))}
          </div>
        ))}
      </fieldset>
      {!denial && (
        <div className="toolbar">
          <label className="field-inline">
            Preset
            <select
              aria-label={`Preset for ${who}`}
              value=""
              onChange={(e) => {
                const preset = PRESETS.find((p) => p.name === e.target.value);
                // A preset sets the breaker (connection pool, outlier detection); load balancing and TLS stay.
                const cleared = Object.fromEntries(POLICY_FIELDS.filter((f) => /^(connectionPool|outlierDetection)\./.test(f.key)).map((f) => [f.key, '']));
                if (preset) setDraft({ base: draft?.base ?? rule.resourceVersion, values: { ...values, ...cleared, ...presetForm(preset.policy) } });
              }}
            >
              <option value="">choose…</option>
              {PRESETS.map((p) => (
                <option key={p.name} value={p.name} title={p.explanation}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <span className="hint">{PRESETS.map((p) => `${p.name}: ${p.explanation}`).join(' ')}</span>
        </div>
      )}
      {/* ── Edit flow (reason → review → apply → outcome): kept together for components/ui/edit-flow.tsx ── */}
      {changed && (
        <div className="review">
          <DiffView
            label={`Change to the traffic policy of ${who}`}
            before={stringify(target.policy)}
            after={stringify(fromForm(values, target.policy).policy)}
          />
          <label className="field">
            Reason for this change (kept in the audit trail)
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="toolbar">
            <button
              type="button"
              className="button"
              disabled={Object.keys(errors).length > 0 || reason.trim().length < 3 || save.isPending}
              onClick={() => save.mutate(draft!.base)}
            >
              Apply policy of {who}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setDraft(null)}>
              Discard
            </button>
          </div>
          {isConflict(save.error) ? (
            // The page keeps reading the cluster: what is there now is this target's latest policy.
            <ConflictView
              what="DestinationRule"
              message={save.error.message}
              now={<pre className="diff">{stringify(target.policy)}</pre>}
              mine={<pre className="diff">{stringify(fromForm(values, target.policy).policy)}</pre>}
              reapplyLabel={`Apply my values on the latest version (${rule.resourceVersion})`}
              onReapply={() => {
                setDraft({ base: rule.resourceVersion, values });
                save.mutate(rule.resourceVersion);
              }}
              onDiscard={() => setDraft(null)}
            />
          ) : (
            save.isError && (
              <p role="alert" className="notice-inline bad">
                Not applied: {save.error.message}
              </p>
            )
          )}
        </div>
      )}
      {save.isSuccess && !changed && (
        <p role="status" className="notice-inline ok">
          Applied to {who}.
        </p>
      )}
      {/* ── End of edit flow ── */}
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
