'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { LocalTime } from '@/components/shell/local-time';
import { DataTable, type DataColumn } from '@/components/ui/data-table';
import { Drawer } from '@/components/ui/drawer';
import { EditFlowSection } from '@/components/ui/edit-flow';
import { QueryState } from '@/components/ui/query-state';
import type { AuditView, Change, Trust } from '@/lib/audit/audit';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { auditQuery, revertUrl, type AuditTrail, type RevertAnswer } from '@/lib/queries/audit';
import { queryKeys } from '@/lib/queries/keys';
import { useEditFlow } from '@/lib/queries/use-edit-flow';
import { useUrlState } from '@/lib/url-state';
import { useHydrated } from '@/lib/use-hydrated';
import styles from './audit.module.css';

const TRUST_LABEL: Record<Trust, string> = { signed: 'signed', untrusted: 'untrusted', invalid: 'invalid', legacy: 'legacy', pending: 'audit pending' };
const LOADING = { data: undefined, isPending: true, isError: false, error: null } as const;

/** The table's URL key: filters are audit.q, audit.f.<column>, the open entry audit.open. */
const URL_KEY = 'audit';
const entryKey = (entry: AuditView) => `${entry.resource.namespace}/${entry.id}`;

/** What became of a change, in one word for the Outcome filter. */
const outcomeOf = (entry: AuditView) => (entry.trust === 'pending' ? 'audit pending' : entry.revertedBy ? 'reverted' : entry.result);
const outcomeText = (entry: AuditView) =>
  entry.trust === 'pending' ? 'applied; audit pending' : entry.result === 'applied' ? 'applied' : `failed: ${entry.message ?? ''}`;

export function AuditPage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const hydrated = useHydrated();
  // Every entry of the selected namespace(s); the table filters them (actor, action, namespace, outcome) in the URL.
  const trail = useQuery(auditQuery({ namespace, user: '', action: '', q: '' }));
  const [openKey, setOpenKey] = useUrlState(`${URL_KEY}.open`);
  const [outcome, setOutcome] = useState<{ message: string; tone: 'ok' | 'warn' } | null>(null);
  const open = useCallback((entry: AuditView) => setOpenKey(entryKey(entry)), [setOpenKey]);
  const close = useCallback(() => setOpenKey(undefined), [setOpenKey]);
  return (
    <>
      <h1>Audit</h1>
      <p className="muted">
        Every change made through Meshdeck, recorded in the cluster: an Event on the object, and one signed ConfigMap per entry (meshdeck-audit-…) in the
        object&apos;s namespace.
      </p>
      {trail.data && <TrailNotices trail={trail.data} />}
      {outcome && (
        <p role="status" className={`notice-inline ${outcome.tone}`}>
          {outcome.message}
        </p>
      )}
      <QueryState query={hydrated ? trail : LOADING} label="the audit trail">
        {(data) => (
          <AuditTable
            trail={data}
            openKey={openKey}
            open={open}
            close={close}
            reverted={(message, tone) => {
              setOutcome({ message, tone });
              setOpenKey(undefined);
            }}
          />
        )}
      </QueryState>
    </>
  );
}

function AuditTable({
  trail,
  openKey,
  open,
  close,
  reverted,
}: {
  trail: AuditTrail;
  openKey: string;
  open: (entry: AuditView) => void;
  close: () => void;
  reverted: (message: string, tone: 'ok' | 'warn') => void;
}) {
  const denial = useDenial('audit:revert');
  const columns = useMemo<DataColumn<AuditView>[]>(
    () => [
      { id: 'time', header: 'When', value: (e) => e.time, width: '8.5rem', cell: (e) => (e.time ? <LocalTime iso={e.time} compact /> : 'unknown') },
      {
        id: 'user',
        header: 'Actor',
        value: (e) => e.user,
        facet: true,
        width: 'minmax(8rem, 1fr)',
        hideBelow: 700,
        cell: (e) => (
          <span className={styles.clip}>
            {e.user} <span className="muted">({e.role || 'no role'})</span>
          </span>
        ),
      },
      {
        id: 'action',
        header: 'Action',
        value: (e) => e.action,
        facet: true,
        width: 'minmax(9rem, 1fr)',
        hideBelow: 560,
        cell: (e) => <code className={styles.clip}>{e.action}</code>,
      },
      {
        id: 'namespace',
        header: 'Namespace',
        value: (e) => e.resource.namespace,
        facet: true,
        width: 'minmax(7rem, 0.8fr)',
        hideBelow: 1500,
        cell: (e) => e.resource.namespace,
      },
      {
        id: 'object',
        header: 'Object',
        value: (e) => `${e.resource.kind} ${e.resource.name}`,
        width: 'minmax(9rem, 1.2fr)',
        hideBelow: 1400,
        cell: (e) => (
          <span className={styles.clip}>
            <span className="muted">{e.resource.kind}</span> {e.resource.name}
          </span>
        ),
      },
      { id: 'summary', header: 'Change', value: (e) => e.summary, width: 'minmax(8rem, 2fr)', cell: (e) => <span className={styles.clip}>{e.summary}</span> },
      {
        id: 'reason',
        header: 'Reason',
        value: (e) => e.reason,
        width: 'minmax(8rem, 1.4fr)',
        hideBelow: 900,
        cell: (e) => <span className={styles.clip}>{e.reason}</span>,
      },
      {
        id: 'outcome',
        header: 'Outcome',
        value: outcomeOf,
        facet: true,
        width: 'minmax(6rem, 1fr)',
        hideBelow: 560,
        cell: (e) => (
          <span className={`${styles.clip} ${e.result === 'failed' ? styles.bad : ''}`} title={outcomeText(e)}>
            {outcomeText(e)}
            {e.revertedBy && <span className="muted"> · reverted</span>}
          </span>
        ),
      },
      {
        id: 'trust',
        header: 'Trust',
        value: (e) => TRUST_LABEL[e.trust],
        width: 'minmax(5.5rem, 0.6fr)',
        hideBelow: 800,
        cell: (e) => (
          <span className={`badge${e.trust === 'signed' ? '' : ' badge-warn'}`} title={e.trust === 'signed' ? undefined : e.trustNote}>
            {TRUST_LABEL[e.trust]}
            {e.trust !== 'signed' && <span className="visually-hidden">: {e.trustNote}</span>}
          </span>
        ),
      },
      {
        id: 'revert',
        header: 'Revert',
        width: '5.5rem',
        cell: (e) =>
          e.revertible && !denial ? (
            <button type="button" className="button button-quiet button-small" onClick={() => open(e)}>
              Revert
            </button>
          ) : null,
      },
    ],
    [denial, open],
  );
  const entry = trail.items.find((e) => entryKey(e) === openKey);
  return (
    <>
      <DataTable<AuditView>
        label="Audit trail"
        rows={trail.items}
        columns={columns}
        getRowId={entryKey}
        urlKey={URL_KEY}
        openId={openKey}
        onOpen={open}
        rowHeight={36}
        empty={trail.items.length === 0 ? 'No changes recorded yet.' : 'No change matches these filters.'}
      />
      <Drawer
        title={entry ? `${entry.action} on ${entry.resource.kind} ${entry.resource.namespace}/${entry.resource.name}` : 'Audit entry'}
        open={Boolean(entry)}
        onClose={close}
      >
        {entry && <EntryDetails entry={entry} denial={denial} reverted={reverted} />}
      </Drawer>
    </>
  );
}

/** Longer values (a whole annotation, in entries of earlier versions) are cut: the object holds them. */
const SHOWN_CHARACTERS = 300;

function show(slot: Change['before']): string {
  if (!slot) return 'unknown';
  if ('absent' in slot) return '(absent)';
  if ('described' in slot) return slot.described;
  const text = JSON.stringify(slot.value);
  return text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}… (${Math.ceil(text.length / 1024)} KiB in all)` : text;
}

/** A rollout's entries are steered on the rollout's page, not reverted here. */
const rolloutPage = (entry: AuditView) =>
  entry.action.startsWith('rollout.') && entry.resource.kind === 'VirtualService'
    ? `/rollouts/${encodeURIComponent(entry.resource.namespace)}/${encodeURIComponent(entry.resource.name)}`
    : undefined;

/** Everything one entry says, and its revert (with a reason) when it may be reverted. */
function EntryDetails({ entry, denial, reverted }: { entry: AuditView; denial: string | undefined; reverted: (message: string, tone: 'ok' | 'warn') => void }) {
  const queryClient = useQueryClient();
  const rollout = rolloutPage(entry);
  // The revert is reviewed like any edit: the API server's dry run of the inverse patch, then apply.
  const revert = useEditFlow<RevertAnswer>({
    write: { url: revertUrl(entry), method: 'POST', body: ({ reason }) => ({ reason }) },
    baseVersion: undefined,
    onApplied: (answer) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.audit.all });
      const pending = answer.audit.status === 'pending' ? answer.audit.message.replace(/^applied; /, '') : undefined;
      const message = pending ? `Reverted ${entry.summary}; ${pending}` : `Reverted ${entry.summary}.`;
      reverted(message, pending ? 'warn' : 'ok');
      return message;
    },
  });
  return (
    <>
      <dl className="facts">
        <dt>When</dt>
        <dd>{entry.time ? <LocalTime iso={entry.time} /> : 'unknown'}</dd>
        <dt>Actor</dt>
        <dd>
          {entry.user} ({entry.role || 'no role'})
        </dd>
        <dt>Object</dt>
        <dd>
          {entry.resource.kind} {entry.resource.namespace}/{entry.resource.name}
        </dd>
        <dt>Change</dt>
        <dd>{entry.summary}</dd>
        <dt>Reason</dt>
        <dd>{entry.reason}</dd>
        <dt>Outcome</dt>
        <dd>
          {outcomeText(entry)}
          {entry.revertedBy && <> · reverted by {entry.revertedBy}</>}
        </dd>
        {entry.override && (
          <>
            <dt>Override</dt>
            <dd>
              Applied despite the analysis, by an admin: {entry.override.reason}
              <ul aria-label="Findings overridden">
                {entry.override.findings.map((f) => (
                  <li key={`${f.code}|${f.origin}|${f.path ?? ''}|${f.message}`}>
                    <code>{f.code}</code> {f.origin}
                    {f.path && (
                      <>
                        {' '}
                        at <code>{f.path}</code>
                      </>
                    )}
                    : {f.message}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        <dt>Trust</dt>
        <dd>
          {TRUST_LABEL[entry.trust]}
          {entry.trust !== 'signed' && <>: {entry.trustNote}</>}
        </dd>
        <dt>Stored in</dt>
        <dd>
          <code>{entry.source}</code>
        </dd>
      </dl>
      {entry.changes.length > 0 && (
        <section aria-label="Changed paths">
          <h3 className={styles.subhead}>Changed paths</h3>
          <ul className="diff">
            {entry.changes.map((c) => (
              <li key={c.path}>
                {c.label ? <span title={c.path}>{c.label}</span> : <code>{c.path}</code>}: {show(c.before)} → {show(c.after)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {!entry.revertible && entry.notRevertible && entry.trust === 'signed' && !entry.revertedBy && (
        <p className="muted">Not revertible: {entry.notRevertible}</p>
      )}
      {rollout && <Link href={rollout}>Open the rollout {entry.resource.name}</Link>}
      {entry.revertible && denial && <p className="muted">{denial}</p>}
      {entry.revertible && !denial && (
        <form className={styles.revert} aria-label={`Revert ${entry.summary}`} onSubmit={(e) => e.preventDefault()}>
          <EditFlowSection
            flow={revert}
            action="audit:revert"
            what={entry.resource.kind}
            label={`Review of the revert of ${entry.summary}`}
            changed
            reasonLabel="Reason for the revert"
            applyLabel="Revert this change"
            mine={`the values before: ${entry.summary}`}
            now={() => undefined}
          />
        </form>
      )}
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
      <div className="notice-inline warn" role="note" aria-label="Who can write the trail">
        <p className={styles.tight}>
          The trail lives in ConfigMaps of each namespace: anyone who may create or delete ConfigMaps there can add entries or remove them. Meshdeck signs its
          own entries; anything else shows as untrusted and cannot be reverted, but a deleted entry leaves no trace here (the Event on the object may still
          tell).
        </p>
        {untrusted.length > 0 && <p className={styles.tight}>Entries not written by this Meshdeck were found in: {untrusted.join(', ')}.</p>}
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
