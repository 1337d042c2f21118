'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { EditFlowOutcome } from '@/components/ui/edit-flow-outcome';
import type { EmergencyState } from '@/lib/mesh/emergency';
import type { RevertArming } from '@/lib/security/emergency-reconciler';
import { emergenciesQuery, emergencyUrl, storeEmergency, type ExtendedEmergency } from '@/lib/queries/security';
import { useEditFlow } from '@/lib/queries/use-edit-flow';
import { useHydrated } from '@/lib/use-hydrated';

function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export const timeLeft = (revertAt: string, now: number) => {
  const seconds = Math.max(0, Math.round((Date.parse(revertAt) - now) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}:${String(s).padStart(2, '0')}`;
};

/** Who will revert an emergency at its deadline, in one line. */
export const armingText = (revert: RevertArming) =>
  revert.armed
    ? `Automatic revert armed by ${revert.holder}${revert.holder === revert.replica ? ' (this replica)' : ''}.`
    : `Automatic revert is NOT armed: ${revert.reason}.`;

/**
 * Every active emergency, on every page, with the time left and the admin's actions; and,
 * on every page too, a warning whenever no replica would revert an emergency on time.
 */
export function EmergencyBanner() {
  const { data } = useQuery(emergenciesQuery());
  const now = useNow();
  // The server renders no banner; until hydrated neither does the browser, whose cache may already
  // hold the emergencies (and whose clock and locale write the countdown): React error #418 otherwise.
  const hydrated = useHydrated();
  if (!data || !hydrated) return null;
  return (
    <>
      {data.items.length > 0 && (
        <section className="emergency-banner" aria-label="Active emergencies">
          {data.items.map((e) => (
            <EmergencyLine key={`${e.namespace}/${e.name}`} emergency={e} now={now} revert={data.revert} />
          ))}
        </section>
      )}
      {!data.revert.armed && (
        <section className="notice notice-bad notice-compact" aria-label="Automatic revert">
          <p>
            <strong>Automatic emergency revert is NOT armed</strong>: {data.revert.reason}. Emergencies cannot be started until a replica holds the Lease{' '}
            <code>{data.revert.lease}</code> (see <code>/api/readyz</code>).
          </p>
        </section>
      )}
    </>
  );
}

function EmergencyLine({ emergency: e, now, revert }: { emergency: EmergencyState; now: number; revert: RevertArming }) {
  const queryClient = useQueryClient();
  const denial = useDenial('emergency');
  // One reason for either action; each action is its own flow (applied at once, outcome shown below).
  const reasonState = useState('');
  const [reason, setReason] = reasonState;
  const restore = useEditFlow<unknown>({
    write: { url: emergencyUrl(e.namespace, 'restore'), method: 'POST', body: ({ reason }) => ({ reason }) },
    baseVersion: undefined,
    reasonState,
    onApplied: () => {
      storeEmergency(queryClient, e.namespace, undefined);
      return `Restored: mTLS is ${e.previousMode} again in ${e.namespace}.`;
    },
  });
  const extend = useEditFlow<{ item: ExtendedEmergency }>({
    write: { url: emergencyUrl(e.namespace, 'extend'), method: 'POST', body: ({ reason }) => ({ minutes: 30, reason }) },
    baseVersion: undefined,
    reasonState,
    onApplied: ({ item }) => {
      storeEmergency(queryClient, e.namespace, item);
      return `Extended: reverts at ${new Date(item.revertAt).toLocaleTimeString()} instead of ${new Date(item.previousRevertAt).toLocaleTimeString()}${item.capped ? ' (capped: an emergency ends at most 24 hours from now)' : ' (+30 minutes)'}.`;
    },
  });
  const outcome = { action: 'emergency', what: 'PeerAuthentication', now: () => undefined } as const;
  const overdue = Date.parse(e.revertAt) <= now;
  return (
    <div className="emergency-line">
      <p>
        <strong>Emergency: mTLS is PERMISSIVE in {e.namespace}</strong> (was {e.previousMode}).{' '}
        {e.skipped ? (
          <span>Automatic revert skipped: {e.skipped}</span>
        ) : overdue ? (
          <span>{revert.armed ? 'Reverting now…' : 'Deadline passed; nothing is reverting it.'}</span>
        ) : (
          <span>
            Reverts in <span className="countdown">{timeLeft(e.revertAt, now)}</span> (at{' '}
            <time dateTime={e.revertAt}>{new Date(e.revertAt).toLocaleTimeString()}</time>).
          </span>
        )}{' '}
        By {e.by}: {e.reason} <span className={revert.armed ? 'revert-armed' : 'revert-unarmed'}>{armingText(revert)}</span>
      </p>
      {!denial && (
        <div className="toolbar">
          <input
            aria-label={`Reason for acting on the ${e.namespace} emergency`}
            placeholder="reason"
            value={reason}
            onChange={(ev) => setReason(ev.target.value)}
          />
          <button type="button" className="button button-small" disabled={Boolean(restore.reasonProblem) || restore.busy} onClick={restore.apply}>
            Restore {e.previousMode} now
          </button>
          <button type="button" className="button button-quiet button-small" disabled={Boolean(extend.reasonProblem) || extend.busy} onClick={extend.apply}>
            Extend by 30 minutes
          </button>
          <EditFlowOutcome flow={restore} mine={`restore ${e.previousMode}`} {...outcome} />
          <EditFlowOutcome flow={extend} mine="30 more minutes" {...outcome} />
        </div>
      )}
    </div>
  );
}
