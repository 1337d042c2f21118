'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { QueryState } from '@/components/ui/query-state';
import type { AuditEntry } from '@/lib/audit/audit';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { auditQuery, revertEntry } from '@/lib/queries/audit';

const ACTIONS = ['traffic.weights', 'traffic.match', 'audit.revert'];

export function AuditPage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const [user, setUser] = useState('');
  const [action, setAction] = useState('');
  const [q, setQ] = useState('');
  const entries = useQuery(auditQuery({ namespace, user, action, q }));
  return (
    <>
      <h1>Audit</h1>
      <p className="muted">Every change made through Meshdeck, recorded in the cluster (an Event on the object and the namespace&apos;s meshdeck-audit history).</p>
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
      <QueryState query={entries} label="the audit trail" isEmpty={(items) => items.length === 0} empty="No changes recorded yet.">
        {(items) => (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Change</th>
                <th scope="col">Reason</th>
                <th scope="col">Result</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <AuditRow key={entry.id} entry={entry} />
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
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
  const revertible = entry.result === 'applied' && (entry.revert?.length ?? 0) > 0 && !entry.revertedBy;
  return (
    <tr>
      <td>
        <time dateTime={entry.time}>{new Date(entry.time).toLocaleString()}</time>
      </td>
      <td>
        {entry.user} <span className="muted">({entry.role})</span>
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
        {entry.patch.length > 0 && (
          <details>
            <summary>Patch</summary>
            <pre className="diff">{JSON.stringify(entry.patch, null, 2)}</pre>
          </details>
        )}
      </td>
      <td>{entry.reason}</td>
      <td>
        {entry.result === 'applied' ? 'applied' : `failed: ${entry.message ?? ''}`}
        {entry.revertedBy && <div className="muted">reverted by {entry.revertedBy}</div>}
      </td>
      <td>
        {revertible && !denial && !confirming && (
          <button type="button" className="button button-quiet button-small" onClick={() => setConfirming(true)}>
            Revert
          </button>
        )}
        {confirming && (
          <div role="alertdialog" aria-label={`Revert ${entry.summary}`} className="confirm">
            <label className="field">
              Reason for the revert
              <input value={reason} onChange={(e) => setReason(e.target.value)} />
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
