'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { QueryState } from '@/components/ui/query-state';
import type { AuditView, Change, Trust } from '@/lib/audit/audit';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { auditQuery, revertEntry, type AuditTrail } from '@/lib/queries/audit';

const ACTIONS = [
  'traffic.weights',
  'traffic.match',
  'resilience.policy',
  'resilience.route',
  'security.rate-limit',
  'security.emergency-start',
  'security.emergency-extend',
  'security.emergency-restore',
  'security.emergency-revert',
  'audit.revert',
];

const TRUST_LABEL: Record<Trust, string> = { signed: 'signed', untrusted: 'untrusted', invalid: 'invalid', legacy: 'legacy', pending: 'audit pending' };

export function AuditPage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const [user, setUser] = useState('');
  const [action, setAction] = useState('');
  const [q, setQ] = useState('');
  const trail = useQuery(auditQuery({ namespace, user, action, q }));
  return (
    <>
      <h1>Audit</h1>
      <p className="muted">
        Every change made through Meshdeck, recorded in the cluster: an Event on the object, and one signed ConfigMap per entry (meshdeck-audit-…) in the
        object&apos;s namespace.
      </p>
      {trail.data && <TrailNotices trail={trail.data} />}
      <form className="filters" role="search" aria-label="Filter the audit trail" onSubmit={(e) => e.preventDefault()}>
        <label>
          User <input value={user} onChange={(e) => setUser(e.target.value)} placeholder="operator@meshdeck.local" />
        </label>
        <label>
          Action
          <select value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">Any</option>
            {ACTIONS.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Search <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="resource, reason, change" />
        </label>
      </form>
      <QueryState query={trail} label="the audit trail" isEmpty={(data) => data.items.length === 0} empty="No changes recorded yet.">
        {(data) => (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Change</th>
                <th scope="col">Reason</th>
                <th scope="col">Result</th>
                <th scope="col">Trust</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((entry) => (
                <AuditRow key={`${entry.source}/${entry.id}`} entry={entry} />
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </>
  );
}

/** Signing, who else can write the trail, pending entries and retention, each in a sentence. */
function TrailNotices({ trail }: { trail: AuditTrail }) {
  const untrusted = [...new Set(trail.items.filter((e) => e.trust === 'untrusted' || e.trust === 'invalid').map((e) => e.resource.namespace))];
  return (
    <>
      {!trail.signing.signing && (
        <div className="notice notice-bad" role="alert">
          <strong>Audit entries are not signed.</strong> {trail.signing.reason}. Set MESHDECK_AUDIT_KEY (32 characters or more) to sign them.
        </div>
      )}
      <div className="notice notice-warn" role="note" aria-label="Who can write the trail">
        <p>
          The trail lives in ConfigMaps of each namespace: anyone who may create or delete ConfigMaps there can add entries or remove them. Meshdeck signs its
          own entries; anything else shows as untrusted and cannot be reverted, but a deleted entry leaves no trace here (the Event on the object may still
          tell).
        </p>
        {untrusted.length > 0 && <p>Entries not written by this Meshdeck were found in: {untrusted.join(', ')}.</p>}
      </div>
      {trail.pending > 0 && (
        <p className="notice-inline warn" role="status">
          {trail.pending} applied change{trail.pending === 1 ? '' : 's'} with audit pending: this replica has not stored{' '}
          {trail.pending === 1 ? 'its entry' : 'their entries'} yet and keeps retrying.
        </p>
      )}
      <p className="muted" aria-label="Retention">
        Retention: {trail.retention.policy}{' '}
        {trail.retention.armed ? `Armed (${trail.retention.holder ?? 'a replica'} sweeps).` : `Not armed: ${trail.retention.reason}.`}
      </p>
    </>
  );
}

const show = (slot: Change['before']) => (!slot ? 'unknown' : 'absent' in slot ? '(absent)' : JSON.stringify(slot.value));

function AuditRow({ entry }: { entry: AuditView }) {
  const queryClient = useQueryClient();
  const denial = useDenial('audit:revert');
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const revert = useMutation({
    mutationFn: () => revertEntry(entry, reason),
    onSuccess: () => {
      setConfirming(false);
      void queryClient.invalidateQueries();
    },
  });
  const pendingAudit = revert.data?.audit.status === 'pending' ? revert.data.audit.message : undefined;
  return (
    <tr>
      <td>{entry.time ? <time dateTime={entry.time}>{new Date(entry.time).toLocaleString()}</time> : 'unknown'}</td>
      <td>
        {entry.user} <span className="muted">({entry.role || 'no role'})</span>
      </td>
      <td>
        {entry.action}
        <br />
        <span className="muted">
          {entry.resource.kind} {entry.resource.namespace}/{entry.resource.name}
        </span>
      </td>
      <td>
        {entry.summary}
        {entry.changes.length > 0 && (
          <details>
            <summary>Changed paths</summary>
            <ul className="diff">
              {entry.changes.map((c) => (
                <li key={c.path}>
                  <code>{c.path}</code>: {show(c.before)} → {show(c.after)}
                </li>
              ))}
            </ul>
          </details>
        )}
      </td>
      <td>{entry.reason}</td>
      <td>
        {entry.trust === 'pending' ? 'applied; audit pending' : entry.result === 'applied' ? 'applied' : `failed: ${entry.message ?? ''}`}
        {entry.revertedBy && <div className="muted">reverted by {entry.revertedBy}</div>}
      </td>
      <td>
        <span className={`badge${entry.trust === 'signed' ? '' : ' badge-warn'}`}>{TRUST_LABEL[entry.trust]}</span>
        {entry.trust !== 'signed' && <div className="muted">{entry.trustNote}</div>}
      </td>
      <td>
        {entry.revertible && !denial && !confirming && (
          <button type="button" className="button button-quiet button-small" onClick={() => setConfirming(true)}>
            Revert
          </button>
        )}
        {!entry.revertible && entry.notRevertible && entry.trust === 'signed' && !entry.revertedBy && (
          <span className="muted">Not revertible: {entry.notRevertible}</span>
        )}
        {pendingAudit && (
          <p role="status" className="notice-inline warn">
            Reverted; {pendingAudit.replace(/^applied; /, '')}
          </p>
        )}
        {confirming && (
          <div role="alertdialog" aria-label={`Revert ${entry.summary}`} className="confirm">
            <label className="field">
              Reason for the revert
              <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
            </label>
            <div className="toolbar">
              <button type="button" className="button button-danger" disabled={reason.trim().length < 3 || revert.isPending} onClick={() => revert.mutate()}>
                Revert this change
              </button>
              <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
            {revert.isError && (
              <p role="alert" className="notice-inline bad">
                Not reverted: {revert.error.message}
              </p>
            )}
          </div>
        )}
      </td>
    </tr>
  );
}
