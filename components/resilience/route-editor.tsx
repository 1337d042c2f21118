'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { stringify } from 'yaml';
import { useDenial } from '@/components/auth/user-context';
import { DiffView } from '@/components/traffic/diff-view';
import { ConflictView } from '@/components/ui/conflict-view';
import { validateRoute } from '@/lib/mesh/resilience';
import { putRoute, type ResilienceView } from '@/lib/queries/resilience';
import { DurationReading, isConflict } from './duration-reading';

/** A route's timeout and retries, with their review and apply. */
export function RouteEditor({ route }: { route: ResilienceView['routes'][number] }) {
  const denial = useDenial('resilience:write');
  const queryClient = useQueryClient();
  const initial = { timeout: route.timeout, attempts: route.attempts, perTryTimeout: route.perTryTimeout, retryOn: route.retryOn };
  const [draft, setDraft] = useState<{ base: string; values: typeof initial } | null>(null);
  const [reason, setReason] = useState('');
  const values = draft?.values ?? initial;
  const errors = validateRoute(values);
  const changed = (Object.keys(initial) as (keyof typeof initial)[]).some((k) => values[k] !== initial[k]);
  const save = useMutation({
    mutationFn: (base: string) => putRoute(route.namespace, route.virtualService, route.index, { resourceVersion: base, reason, ...values }),
    onSuccess: () => {
      setDraft(null);
      setReason('');
      void queryClient.invalidateQueries({ queryKey: ['resilience'] });
    },
  });
  const who = `${route.virtualService} route ${route.name}`;
  const input = (key: keyof typeof initial, label: string) => (
    <label className="field">
      {label}
      <input
        aria-label={`${who} ${label}`}
        aria-invalid={Boolean(errors[key])}
        value={values[key]}
        placeholder="unset"
        onChange={(e) => setDraft({ base: draft?.base ?? route.resourceVersion, values: { ...values, [key]: e.target.value } })}
      />
      {errors[key] && (
        <span role="alert" className="field-error">
          {errors[key]}
        </span>
      )}
      {(key === 'timeout' || key === 'perTryTimeout') && !errors[key] && <DurationReading value={values[key]} />}
    </label>
  );
  return (
    <fieldset className="route policy-form" disabled={Boolean(denial)} aria-label={`Timeouts and retries of ${who}`}>
      <legend>
        {route.virtualService} · {route.name} <span className="muted">to {route.hosts.join(', ')}</span>
      </legend>
      <div className="condition">
        {input('timeout', 'Timeout')}
        {input('attempts', 'Retries')}
        {input('perTryTimeout', 'Per-try timeout')}
        {input('retryOn', 'Retry on')}
      </div>
      {/* ── Edit flow (reason → review → apply → outcome): kept together for components/ui/edit-flow.tsx ── */}
      {changed && (
        <div className="review">
          <DiffView label={`Change to ${who}`} before={stringify(initial)} after={stringify(values)} />
          <label className="field">
            Reason for this change (kept in the audit trail)
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button
            type="button"
            className="button"
            disabled={Object.keys(errors).length > 0 || reason.trim().length < 3 || save.isPending}
            onClick={() => save.mutate(draft!.base)}
          >
            Apply timeouts and retries of {route.name}
          </button>
          {isConflict(save.error) ? (
            <ConflictView
              what="VirtualService"
              message={save.error.message}
              now={<pre className="diff">{stringify(initial)}</pre>}
              mine={<pre className="diff">{stringify(values)}</pre>}
              reapplyLabel={`Apply my values on the latest version (${route.resourceVersion})`}
              onReapply={() => {
                setDraft({ base: route.resourceVersion, values });
                save.mutate(route.resourceVersion);
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
      {/* ── End of edit flow ── */}
    </fieldset>
  );
}
