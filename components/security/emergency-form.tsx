'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { EditFlowOutcome, PreviewDiff } from '@/components/ui/edit-flow';
import { DEFAULT_EMERGENCY_MINUTES, MAX_EMERGENCY_MINUTES, type EmergencyState } from '@/lib/mesh/emergency';
import { emergenciesQuery, emergencyUrl, storeEmergency, type SecurityView } from '@/lib/queries/security';
import { useEditFlow } from '@/lib/queries/use-edit-flow';
import { armingText } from './emergency-banner';

/** Emergency PERMISSIVE (the form the Security page opens in a drawer): an admin lets plaintext clients into a namespace for a bounded time. */
export function Emergency({ data, initialNamespace }: { data: SecurityView; initialNamespace?: string }) {
  const denial = useDenial('emergency');
  const queryClient = useQueryClient();
  const [namespace, setNamespace] = useState(initialNamespace || (data.namespaces[0]?.namespace ?? ''));
  const [confirm, setConfirm] = useState('');
  const [minutes, setMinutes] = useState(DEFAULT_EMERGENCY_MINUTES);
  // The typed namespace name confirms it; the review (the API server's dry run) is offered, not required.
  const start = useEditFlow<{ item: EmergencyState }>({
    write: { url: emergencyUrl(namespace, 'start'), method: 'POST', body: ({ reason }) => ({ confirm, reason, minutes }) },
    baseVersion: undefined,
    onApplied: ({ item }) => {
      storeEmergency(queryClient, item.namespace, item);
      return `${item.namespace} is PERMISSIVE until the deadline shown in the banner.`;
    },
  });
  const revert = useQuery(emergenciesQuery()).data?.revert;
  const ready = confirm === namespace && !start.reasonProblem && !start.busy && revert?.armed !== false;
  // Any change to the form makes an earlier review stale.
  const edited =
    <T,>(set: (value: T) => void) =>
    (value: T) => (start.edited(), set(value));
  return (
    <section aria-label="Emergency PERMISSIVE">
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
            start.apply();
          }}
        >
          <label>
            Namespace
            <select value={namespace} onChange={(e) => edited(setNamespace)(e.target.value)}>
              {[...data.namespaces.map((n) => n.namespace), data.rootNamespace].map((n) => (
                <option key={n} value={n}>
                  {n === data.rootNamespace ? `${n} (whole mesh)` : n}
                </option>
              ))}
            </select>
          </label>
          <label>
            Type the namespace name to confirm
            <input value={confirm} onChange={(e) => edited(setConfirm)(e.target.value)} autoComplete="off" />
          </label>
          <label>
            Reason
            <input value={start.reason} onChange={(e) => edited(start.setReason)(e.target.value)} />
          </label>
          <label>
            Revert after (minutes, at most {MAX_EMERGENCY_MINUTES})
            <input type="number" min={1} max={MAX_EMERGENCY_MINUTES} value={minutes} onChange={(e) => edited(setMinutes)(Number(e.target.value))} />
          </label>
          <div className="toolbar">
            {/* In an emergency the review is offered, not required: the typed name is the confirmation. */}
            <button type="button" className="button button-quiet" disabled={!ready} onClick={start.review}>
              Review change
            </button>
            <button type="submit" className="button button-danger" disabled={!ready}>
              Switch {namespace} to PERMISSIVE
            </button>
          </div>
          {(start.state.step === 'reviewing' || start.state.step === 'applying') && start.state.preview && (
            <PreviewDiff preview={start.state.preview} label="Change to the PeerAuthentication" />
          )}
          <EditFlowOutcome
            flow={start}
            action="emergency"
            what="PeerAuthentication"
            mine={`PERMISSIVE in ${namespace} for ${minutes} minutes`}
            now={() => undefined}
          />
        </form>
      )}
    </section>
  );
}
