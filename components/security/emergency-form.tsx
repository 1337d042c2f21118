'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { DEFAULT_EMERGENCY_MINUTES, MAX_EMERGENCY_MINUTES } from '@/lib/mesh/emergency';
import { emergenciesQuery, startEmergency, type SecurityView } from '@/lib/queries/security';
import { armingText } from './emergency-banner';

/** Emergency PERMISSIVE: an admin lets plaintext clients into a namespace for a bounded time. */
export function Emergency({ data }: { data: SecurityView }) {
  const denial = useDenial('emergency');
  const queryClient = useQueryClient();
  const [namespace, setNamespace] = useState(data.namespaces[0]?.namespace ?? '');
  const [confirm, setConfirm] = useState('');
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState(DEFAULT_EMERGENCY_MINUTES);
  const start = useMutation({
    mutationFn: () => startEmergency(namespace, { confirm, reason, minutes }),
    onSuccess: () => void queryClient.invalidateQueries(),
  });
  const revert = useQuery(emergenciesQuery()).data?.revert;
  return (
    <section className="panel" aria-labelledby="emergency-title">
      <h2 id="emergency-title">Emergency PERMISSIVE</h2>
      <p className="muted">
        Lets plaintext clients in while mTLS is broken, for a bounded time. The previous mode comes back at the deadline, even after a restart; a change made
        meanwhile is never overwritten.
      </p>
      {revert && (
        <p role="status" className={`notice-inline ${revert.armed ? 'ok' : 'bad'}`} aria-label="Automatic revert state">
          {armingText(revert)}
        </p>
      )}
      {denial ? (
        <p className="hint">Only admins can start an emergency. {denial}</p>
      ) : (
        <form
          className="signin-form"
          aria-label="Start an emergency"
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate();
          }}
        >
          <label>
            Namespace
            <select value={namespace} onChange={(e) => setNamespace(e.target.value)}>
              {[...data.namespaces.map((n) => n.namespace), data.rootNamespace].map((n) => (
                <option key={n} value={n}>
                  {n === data.rootNamespace ? `${n} (whole mesh)` : n}
                </option>
              ))}
            </select>
          </label>
          <label>
            Type the namespace name to confirm
            <input value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" />
          </label>
          <label>
            Reason
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <label>
            Revert after (minutes, at most {MAX_EMERGENCY_MINUTES})
            <input type="number" min={1} max={MAX_EMERGENCY_MINUTES} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} />
          </label>
          <button
            type="submit"
            className="button button-danger"
            disabled={confirm !== namespace || reason.trim().length < 3 || start.isPending || revert?.armed === false}
          >
            Switch {namespace} to PERMISSIVE
          </button>
          {start.isError && (
            <p role="alert" className="notice-inline bad">
              Not started: {start.error.message}
            </p>
          )}
          {start.isSuccess && (
            <p role="status" className="notice-inline ok">
              {namespace} is PERMISSIVE until the deadline shown in the banner.
            </p>
          )}
        </form>
      )}
    </section>
  );
}
