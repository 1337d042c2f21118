'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { stringify } from 'yaml';
import { useDenial } from '@/components/auth/user-context';
import { EditFlowSection } from '@/components/ui/edit-flow';
import { validateRoute } from '@/lib/mesh/resilience';
import { queryKeys } from '@/lib/queries/keys';
import { routeResilienceUrl, type ResilienceView } from '@/lib/queries/resilience';
import { useEditFlow } from '@/lib/queries/use-edit-flow';
import { AddSetting } from './add-setting';
import { DurationReading } from './duration-reading';
import styles from './resilience.module.css';

const ROUTE_FIELDS = [
  { key: 'timeout', label: 'Timeout' },
  { key: 'attempts', label: 'Retries' },
  { key: 'perTryTimeout', label: 'Per-try timeout' },
  { key: 'retryOn', label: 'Retry on' },
] as const;

/** A route's timeout and retries: the set ones, "add setting" for the others, and their review and apply. */
export function RouteEditor({ route }: { route: ResilienceView['routes'][number] }) {
  const denial = useDenial('resilience:write');
  const queryClient = useQueryClient();
  const initial = { timeout: route.timeout, attempts: route.attempts, perTryTimeout: route.perTryTimeout, retryOn: route.retryOn };
  const [draft, setDraft] = useState<{ base: string; values: typeof initial } | null>(null);
  const [added, setAdded] = useState<string[]>([]);
  const values = draft?.values ?? initial;
  const errors = validateRoute(values);
  const changed = (Object.keys(initial) as (keyof typeof initial)[]).some((k) => values[k] !== initial[k]);
  const who = `${route.virtualService} route ${route.name}`;
  const flow = useEditFlow<{ item: { resourceVersion: string } }>({
    write: {
      url: routeResilienceUrl(route.namespace, route.virtualService, route.index),
      body: ({ reason, resourceVersion }) => ({ resourceVersion, reason, ...values }),
    },
    baseVersion: draft?.base ?? route.resourceVersion,
    // The page keeps reading the cluster: after a conflict, its version is the latest.
    latestVersion: () => route.resourceVersion,
    onApplied: ({ item }) => {
      setDraft(null);
      setAdded([]);
      // The answer names the new version only: the page's answer for this namespace is read again.
      void queryClient.invalidateQueries({ queryKey: queryKeys.resilience.list(route.namespace) });
      return `Applied to ${who} (resourceVersion ${item.resourceVersion}).`;
    },
  });
  const shown = (key: keyof typeof initial) => initial[key] !== '' || values[key] !== '' || added.includes(key);
  return (
    <fieldset className={`route ${styles.editor}`} disabled={Boolean(denial)} aria-label={`Timeouts and retries of ${who}`}>
      <legend className={styles.editorTitle}>
        {route.virtualService} · {route.name} <span className="muted">to {route.hosts.join(', ')}</span>
      </legend>
      <div className={styles.fieldGroup}>
        {ROUTE_FIELDS.filter((f) => shown(f.key)).map(({ key, label }) => (
          <div key={key} className={styles.field}>
            <label htmlFor={`${route.virtualService}-${route.index}-${key}`}>{label}</label>
            <input
              id={`${route.virtualService}-${route.index}-${key}`}
              aria-label={`${who} ${label}`}
              aria-invalid={Boolean(errors[key])}
              value={values[key]}
              placeholder="unset"
              autoFocus={added.at(-1) === key}
              onChange={(e) => {
                flow.edited();
                setDraft({ base: draft?.base ?? route.resourceVersion, values: { ...values, [key]: e.target.value } });
              }}
            />
            <span className={styles.fieldNote}>
              {errors[key] ? (
                <span role="alert" className="field-error">
                  {errors[key]}
                </span>
              ) : (
                (key === 'timeout' || key === 'perTryTimeout') && <DurationReading value={values[key]} />
              )}
              {initial[key] !== '' && values[key] === '' && <span className="muted">removed</span>}
            </span>
          </div>
        ))}
      </div>
      {!denial && (
        <AddSetting
          who={who}
          options={ROUTE_FIELDS.filter((f) => !shown(f.key)).map((f) => ({ key: f.key, label: f.label }))}
          onAdd={(key) => setAdded([...added, key])}
        />
      )}
      <EditFlowSection
        flow={flow}
        action="resilience:write"
        what="VirtualService"
        label={`Review of the timeouts and retries of ${who}`}
        changed={changed}
        disabled={denial}
        diffLabel={`Change to ${who}`}
        applyLabel={`Apply timeouts and retries of ${route.name}`}
        check={() => Object.keys(errors).length === 0}
        mine={<pre className="diff">{stringify(values)}</pre>}
        now={() => <pre className="diff">{stringify(initial)}</pre>}
        reapplyLabel={`Apply my values on the latest version (${route.resourceVersion})`}
        onDiscard={() => (setDraft(null), flow.edited())}
      />
    </fieldset>
  );
}
