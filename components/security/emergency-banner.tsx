'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import type { EmergencyState } from '@/lib/mesh/emergency';
import type { RevertArming } from '@/lib/security/emergency-reconciler';
import { emergenciesQuery, extendEmergency, restoreEmergency } from '@/lib/queries/security';

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
  if (!data) return null;
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
  const [reason, setReason] = useState('');
  const done = () => void queryClient.invalidateQueries();
  const restore = useMutation({ mutationFn: () => restoreEmergency(e.namespace, reason), onSuccess: done });
  const extend = useMutation({ mutationFn: () => extendEmergency(e.namespace, 30, reason), onSuccess: done });
  const extended = extend.data?.item;
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
          <button type="button" className="button button-small" disabled={reason.trim().length < 3 || restore.isPending} onClick={() => restore.mutate()}>
            Restore {e.previousMode} now
          </button>
          <button
            type="button"
            className="button button-quiet button-small"
            disabled={reason.trim().length < 3 || extend.isPending}
            onClick={() => extend.mutate()}
          >
            Extend by 30 minutes
          </button>
          {extended && (
            <span role="status">
              Extended: reverts at {new Date(extended.revertAt).toLocaleTimeString()} instead of {new Date(extended.previousRevertAt).toLocaleTimeString()}
              {extended.capped ? ' (capped: an emergency ends at most 24 hours from now)' : ' (+30 minutes)'}.
            </span>
          )}
          {(restore.error ?? extend.error) && <span role="alert">{(restore.error ?? extend.error)!.message}</span>}
        </div>
      )}
    </div>
  );
}
