'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { DataTable, type DataColumn } from '@/components/ui/data-table';
import { PageSection } from '@/components/ui/page-section';
import { QueryState } from '@/components/ui/query-state';
import type { EmergencyState } from '@/lib/mesh/emergency';
import type { ServiceSecurityLive } from '@/lib/metrics/security';
import { useMetricsRefresh } from '@/lib/queries/metrics-refresh';
import { emergenciesQuery, securityLiveQuery, type SecurityView } from '@/lib/queries/security';
import { ModeChip } from './modes';
import styles from './security.module.css';

type NamespaceRow = SecurityView['namespaces'][number] & { emergency?: EmergencyState; plaintext?: number };
type WorkloadRow = SecurityView['workloads'][number] & { id: string; token?: SecurityView['tokenRequired'][number] };

const TOKEN_WORDS = { always: 'token required', sometimes: 'token required for some requests', never: 'no token required' } as const;
const tokenWord = (t: WorkloadRow['token']) => (t ? TOKEN_WORDS[t.required] : '–');
const percent = (part: number, total: number) => (total ? `${((100 * part) / total).toFixed(1)}%` : '–');
const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * Mutual TLS as PeerAuthentications decide it: per namespace (with its emergency and the live
 * plaintext share, and the emergency action for admins), per workload (with whether its requests
 * need a token), the TLS conflicts, and the live share per service.
 */
export function MutualTls({ data, namespace, onEmergency }: { data: SecurityView; namespace: string; onEmergency?: (namespace: string) => void }) {
  const live = useQuery(securityLiveQuery(namespace, useMetricsRefresh()));
  const emergencies = useQuery(emergenciesQuery()).data?.items ?? data.emergencies;
  const namespaces = useMemo<NamespaceRow[]>(() => {
    const services = live.data?.services ?? [];
    return data.namespaces.map((n) => {
      const own = services.filter((s) => s.namespace === n.namespace);
      const total = own.reduce((sum, s) => sum + s.mutualTls + s.plaintext, 0);
      return {
        ...n,
        emergency: emergencies.find((e) => e.namespace === n.namespace),
        plaintext: live.data ? (total ? own.reduce((sum, s) => sum + s.plaintext, 0) / total : 0) : undefined,
      };
    });
  }, [data.namespaces, emergencies, live.data]);
  const workloads = useMemo<WorkloadRow[]>(
    () =>
      data.workloads.map((w) => {
        const id = `${w.workload.namespace}/${w.workload.name}`;
        return { ...w, id, token: data.tokenRequired.find((t) => t.workload === id) };
      }),
    [data.workloads, data.tokenRequired],
  );
  const namespaceColumns = useMemo<DataColumn<NamespaceRow>[]>(
    () => [
      { id: 'namespace', header: 'Namespace', cell: (n) => <strong>{n.namespace}</strong>, value: (n) => n.namespace, width: 'minmax(6rem, 1.2fr)' },
      { id: 'mode', header: 'mTLS mode', cell: (n) => <ModeChip mode={n.mode} />, value: (n) => n.mode, facet: true, width: '6.5rem' },
      {
        id: 'emergency',
        header: 'Emergency',
        cell: (n) =>
          n.emergency ? (
            <span className={styles.emergency} title={`${n.emergency.by}: ${n.emergency.reason}`}>
              PERMISSIVE until {time(n.emergency.revertAt)} (was {n.emergency.previousMode})
            </span>
          ) : (
            <span className="muted">none</span>
          ),
        value: (n) => (n.emergency ? 'active' : 'none'),
        width: 'minmax(6rem, 1.4fr)',
      },
      {
        id: 'plaintext',
        header: 'Plaintext now',
        cell: (n) => (n.plaintext === undefined ? <span className="muted">{live.isError ? 'unknown' : '…'}</span> : `${(100 * n.plaintext).toFixed(1)}%`),
        value: (n) => n.plaintext ?? -1,
        align: 'end',
        width: '7rem',
        hideBelow: 600,
      },
      { id: 'source', header: 'Decided by', cell: (n) => <span className="muted">{n.source}</span>, value: (n) => n.source, hideBelow: 900 },
      ...(onEmergency
        ? [
            {
              id: 'action',
              header: 'Action',
              cell: (n: NamespaceRow) => (
                <button
                  type="button"
                  className="button button-danger button-small"
                  aria-label={`Emergency PERMISSIVE in ${n.namespace}`}
                  onClick={() => onEmergency(n.namespace)}
                >
                  Emergency…
                </button>
              ),
              width: '7.5rem',
              hideBelow: 700,
            },
          ]
        : []),
    ],
    [live.isError, onEmergency],
  );
  const workloadColumns = useMemo<DataColumn<WorkloadRow>[]>(
    () => [
      { id: 'workload', header: 'Workload', cell: (w) => <strong>{w.id}</strong>, value: (w) => w.id, width: 'minmax(9rem, 1.6fr)' },
      { id: 'mode', header: 'mTLS mode', cell: (w) => <ModeChip mode={w.mode.mode} />, value: (w) => w.mode.mode, facet: true, width: '7.5rem' },
      {
        id: 'ports',
        header: 'Ports',
        cell: (w) => w.ports.map((p) => `${p.port}: ${p.mode.mode}`).join(', ') || '–',
        value: (w) => w.ports.map((p) => `${p.port}: ${p.mode.mode}`).join(', '),
        width: 'minmax(6rem, 0.8fr)',
        hideBelow: 1100,
      },
      {
        id: 'token',
        header: 'Token',
        cell: (w) => (
          <span className={styles.lines}>
            <span>{tokenWord(w.token)}</span>{' '}
            {w.token && w.token.because.length > 0 && (
              <span className={styles.because} title={w.token.because.join('; ')}>
                ({w.token.because.join('; ')})
              </span>
            )}
          </span>
        ),
        value: (w) => tokenWord(w.token),
        facet: true,
        width: 'minmax(8rem, 1.6fr)',
        hideBelow: 600,
      },
      { id: 'source', header: 'Decided by', cell: (w) => <span className="muted">{w.mode.source}</span>, value: (w) => w.mode.source, hideBelow: 900 },
    ],
    [],
  );
  const liveColumns = useMemo<DataColumn<ServiceSecurityLive>[]>(
    () => [
      {
        id: 'service',
        header: 'Service',
        cell: (s) => (
          <span>
            <strong>{s.service}</strong> <span className="muted">{s.namespace}</span>
          </span>
        ),
        value: (s) => `${s.service} ${s.namespace}`,
        width: 'minmax(7rem, 2fr)',
      },
      { id: 'mtls', header: 'mTLS', cell: (s) => percent(s.mutualTls, s.mutualTls + s.plaintext), value: (s) => s.mutualTls, align: 'end', width: '4.5rem' },
      {
        id: 'plaintext',
        header: 'Plaintext',
        cell: (s) => `${percent(s.plaintext, s.mutualTls + s.plaintext)} (${s.plaintext.toFixed(2)}/s)`,
        value: (s) => s.plaintext,
        align: 'end',
        width: '8rem',
      },
    ],
    [],
  );
  return (
    <PageSection
      title="Mutual TLS"
      note={
        <>
          Mesh-wide: <ModeChip mode={data.mesh.mode} /> ({data.mesh.source})
        </>
      }
    >
      <DataTable<NamespaceRow>
        label="Effective mTLS per namespace"
        rows={namespaces}
        columns={namespaceColumns}
        getRowId={(n) => n.namespace}
        urlKey="mtls-ns"
        rowHeight={38}
        empty="No namespaces match."
      />
      {data.conflicts.map((c) => (
        <p key={c.destinationRule} role="note" className="notice-inline warn">
          {c.message}
        </p>
      ))}
      <PageSection level={3} title="Per workload" note="Port-level modes, and whether its requests need a JWT (from the AuthorizationPolicies).">
        <DataTable<WorkloadRow>
          label="Effective mTLS per workload"
          rows={workloads}
          columns={workloadColumns}
          getRowId={(w) => w.id}
          urlKey="mtls-wl"
          rowHeight={38}
          empty="No workloads match."
        />
      </PageSection>
      <PageSection level={3} title="Live share of mTLS and plaintext" note="Last 5 minutes, from Prometheus.">
        <QueryState
          query={live}
          label="live traffic from Prometheus"
          isEmpty={(d) => d.services.length === 0}
          empty={`No requests recorded in the last 5 minutes${namespace ? ` in ${namespace}` : ''}.`}
        >
          {(d) => (
            <DataTable<ServiceSecurityLive>
              label="Live mTLS share"
              rows={d.services}
              columns={liveColumns}
              getRowId={(s) => `${s.namespace}/${s.service}`}
              urlKey="mtls-live"
              rowHeight={34}
              empty="No services match."
            />
          )}
        </QueryState>
      </PageSection>
    </PageSection>
  );
}
