'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { LocalTime } from '@/components/shell/local-time';
import { DataTable, type DataColumn } from '@/components/ui/data-table';
import { QueryState } from '@/components/ui/query-state';
import { formatMs, formatPercent, formatRate, NO_VALUE } from '@/lib/format';
import { NAMESPACE_PARAM, pageHref } from '@/lib/navigation';
import type { NamespaceHealth, OverviewAnswer } from '@/lib/overview/health';
import { overviewQuery } from '@/lib/queries/overview';
import { clusterQuery } from '@/lib/queries/shell';
import { useHydrated } from '@/lib/use-hydrated';
import { useMetricsRefresh } from '@/lib/queries/metrics-refresh';
import styles from './overview.module.css';

// Until hydrated, every query reads as loading: the server rendered it so (see useHydrated).
const LOADING = { data: undefined, isPending: true, isError: false, error: null } as const;

const SOURCE_NAMES: Record<keyof OverviewAnswer['problems'], string> = {
  red: 'Request numbers',
  alerts: 'Firing alerts',
  emergencies: 'Emergencies',
  audit: 'Recent changes',
  objects: 'Object counts',
};

const link = (href: string, namespace: string, extra: Record<string, string> = {}) => pageHref(href, { [NAMESPACE_PARAM]: namespace, ...extra });
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A cell whose source did not answer: a dash, with the reason in the page's notice above the table. */
const Missing = () => <span title="This source did not answer; see the notice above">{NO_VALUE}</span>;

const columns: DataColumn<NamespaceHealth>[] = [
  {
    id: 'namespace',
    header: 'Namespace',
    value: (r) => r.namespace,
    width: 'minmax(7.5rem, 1.4fr)',
    cell: (r) => (
      <Link href={link('/', r.namespace)} className={styles.namespace}>
        {r.namespace}
      </Link>
    ),
  },
  {
    id: 'rate',
    header: 'Requests/s',
    value: (r) => r.red?.rate ?? -1,
    align: 'end',
    width: 'minmax(5rem, 0.7fr)',
    cell: (r) =>
      !r.red ? (
        <Missing />
      ) : r.red.rate > 0 ? (
        <Link href={link('/kpis', r.namespace)}>{formatRate(r.red.rate)}</Link>
      ) : (
        <span className="muted">no traffic</span>
      ),
  },
  {
    id: 'errors',
    header: 'Errors',
    value: (r) => r.red?.errorRatio ?? -1,
    align: 'end',
    width: 'minmax(4rem, 0.6fr)',
    cell: (r) =>
      r.red ? (
        <span className={r.red.errorRatio > 0 ? styles.bad : undefined}>{r.red.rate > 0 ? formatPercent(r.red.errorRatio) : NO_VALUE}</span>
      ) : (
        <Missing />
      ),
  },
  {
    id: 'p99',
    header: 'P99',
    value: (r) => r.red?.p99 ?? -1,
    align: 'end',
    width: 'minmax(4.5rem, 0.6fr)',
    hideBelow: 560,
    cell: (r) => (r.red ? formatMs(r.red.p99) : <Missing />),
  },
  {
    id: 'alerts',
    header: 'Alerts',
    value: (r) => r.alerts?.length ?? -1,
    width: 'minmax(5rem, 1fr)',
    cell: (r) =>
      !r.alerts ? (
        <Missing />
      ) : r.alerts.length === 0 ? (
        <span className="muted">none firing</span>
      ) : (
        <Link href={link('/kpis', r.namespace)} className={styles.bad} title={r.alerts.map((a) => `${a.name}${a.service ? ` (${a.service})` : ''}`).join(', ')}>
          {plural(r.alerts.length, 'firing alert')}: {[...new Set(r.alerts.map((a) => a.name))].join(', ')}
        </Link>
      ),
  },
  {
    id: 'emergencies',
    header: 'Emergencies',
    value: (r) => r.emergencies?.length ?? -1,
    width: 'minmax(6rem, 1fr)',
    hideBelow: 700,
    cell: (r) =>
      !r.emergencies ? (
        <Missing />
      ) : r.emergencies.length === 0 ? (
        <span className="muted">none</span>
      ) : (
        <Link href={link('/security', r.namespace)} className={styles.bad}>
          mTLS PERMISSIVE until <LocalTime iso={r.emergencies[0]!.revertAt} />
        </Link>
      ),
  },
  {
    id: 'changes',
    header: 'Changes (24 h)',
    value: (r) => r.changes?.count ?? -1,
    width: 'minmax(8rem, 1.6fr)',
    hideBelow: 900,
    cell: (r) =>
      !r.changes ? (
        <Missing />
      ) : r.changes.count === 0 ? (
        <span className="muted">none</span>
      ) : (
        <Link href={link('/audit', r.namespace)} title={r.changes.latest.map((c) => `${c.user}: ${c.summary}`).join('\n')}>
          {plural(r.changes.count, 'change')}, latest {r.changes.latest[0]!.action}
        </Link>
      ),
  },
  {
    id: 'objects',
    header: 'Mesh config',
    value: (r) => (r.objects ? r.objects.virtualServices + r.objects.destinationRules + r.objects.policies : -1),
    width: 'minmax(10rem, 1.6fr)',
    hideBelow: 1200,
    cell: (r) =>
      !r.objects ? (
        <Missing />
      ) : (
        <span className={styles.links}>
          <Link href={link('/traffic', r.namespace)}>{plural(r.objects.virtualServices, 'route set')}</Link>
          <Link href={link('/resilience', r.namespace)}>{plural(r.objects.destinationRules, 'rule')}</Link>
          <Link href={link('/security', r.namespace)}>{plural(r.objects.policies, 'policy', 'policies')}</Link>
        </span>
      ),
  },
  {
    id: 'sidecars',
    header: 'Sidecar injection',
    value: (r) => (r.sidecarInjection ? 'Enabled' : 'Off'),
    width: 'minmax(5rem, 0.7fr)',
    hideBelow: 1400,
    cell: (r) => (r.sidecarInjection ? 'Enabled' : <span className="muted">Off</span>),
  },
];

/** The health page: the connection, and per namespace its numbers, alerts, emergencies and changes, linking into each page. */
export function Overview() {
  const selected = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const hydrated = useHydrated();
  const cluster = useQuery(clusterQuery());
  const health = useQuery({ ...overviewQuery(selected, useMetricsRefresh()), enabled: cluster.data?.state === 'connected' });
  // The shell's cluster indicator may have had its answer before this part hydrates (its code
  // can arrive later): what renders reads the cluster as loading until then, like the server did.
  const clusterView = hydrated ? cluster : LOADING;
  const connected = clusterView.data?.state === 'connected';

  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="connection-title" className={styles.connection}>
        <h2 id="connection-title" className="visually-hidden">
          Connection
        </h2>
        <QueryState query={clusterView} label="the cluster status">
          {(status) => (
            <p className={styles.facts}>
              <strong>{status.state === 'connected' ? 'Connected' : status.state === 'unreachable' ? 'Unreachable' : 'Not configured'}</strong>
              {status.state !== 'unconfigured' && (
                <>
                  <span>
                    context <strong>{status.context}</strong>
                  </span>
                  <code>{status.server}</code>
                </>
              )}
              {status.state === 'connected' ? <span>Kubernetes {status.version}</span> : <span>{status.reason}</span>}
            </p>
          )}
        </QueryState>
      </section>
      {connected && (
        <section aria-labelledby="namespaces-title">
          <h2 id="namespaces-title">Namespaces</h2>
          <QueryState query={hydrated ? health : LOADING} label="the namespace health">
            {(data) => <NamespaceTable data={data} selected={selected} />}
          </QueryState>
        </section>
      )}
    </>
  );
}

function NamespaceTable({ data, selected }: { data: OverviewAnswer; selected: string }) {
  const problems = Object.entries(data.problems) as [keyof OverviewAnswer['problems'], string][];
  const rows = useMemo(() => data.namespaces, [data]);
  return (
    <>
      <p className="hint">
        Requests into each namespace&apos;s services over the last {data.window}; changes from the audit trail. Each link opens its page filtered to that
        namespace.
      </p>
      {problems.map(([source, message]) => (
        <p key={source} className="notice-inline warn" role="status">
          <strong>{SOURCE_NAMES[source]} unavailable:</strong> {message}. The other columns are current.
        </p>
      ))}
      {data.unscopedAlerts && data.unscopedAlerts.length > 0 && (
        <p className="notice-inline bad" role="status">
          Firing without a namespace: {data.unscopedAlerts.map((a) => a.name).join(', ')} (<Link href="/kpis">KPIs</Link>).
        </p>
      )}
      <DataTable<NamespaceHealth>
        label="Namespaces"
        rows={rows}
        columns={columns}
        getRowId={(r) => r.namespace}
        urlKey="ns"
        rowHeight={36}
        empty={selected ? `Namespace ${selected} does not exist in this cluster, or you may not see it.` : 'The cluster has no namespaces you may see.'}
      />
    </>
  );
}
