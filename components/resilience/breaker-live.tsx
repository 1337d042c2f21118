'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { TimeSeriesChart } from '@/components/kpis/lazy-charts';
import { DataTable, type DataColumn } from '@/components/ui/data-table';
import { PageSection } from '@/components/ui/page-section';
import { QueryState } from '@/components/ui/query-state';
import type { BreakerStatus, EnvoyStatsNotice } from '@/lib/metrics/resilience';
import { breakerQuery } from '@/lib/queries/resilience';
import { useMetricsRefresh } from '@/lib/queries/metrics-refresh';
import { BREAKER_NUMBERS, breakerNumber } from './breaker-state';
import styles from './resilience.module.css';

const UNKNOWN = 'Not exported by the proxies: see the note above';

/** The live panel's columns: the state first, then the numbers that explain it, the rarer ones hidden on narrow screens. */
function breakerColumns(allNamespaces: boolean): DataColumn<BreakerStatus>[] {
  const columns: (DataColumn<BreakerStatus> | false)[] = [
    { id: 'service', header: 'Service', cell: (s) => <strong>{s.service}</strong>, value: (s) => s.service, width: 'minmax(8rem, 1.5fr)' },
    allNamespaces && { id: 'namespace', header: 'Namespace', cell: (s) => s.namespace, value: (s) => s.namespace, facet: true, hideBelow: 900 },
    {
      id: 'state',
      header: 'State',
      cell: (s) => <span className={s.tripped ? styles.tripped : styles.closed}>{s.tripped ? 'tripped' : 'closed'}</span>,
      value: (s) => (s.tripped ? 'tripped' : 'closed'),
      facet: true,
      width: '5.5rem',
    },
    ...BREAKER_NUMBERS.map((n): DataColumn<BreakerStatus> => ({
      id: n.key,
      header: n.header,
      cell: (s) => <span title={s[n.key] === null ? UNKNOWN : undefined}>{breakerNumber(s, n)}</span>,
      value: (s) => s[n.key] ?? -1,
      align: 'end',
      width: n.width,
      hideBelow: n.hideBelow,
    })),
    {
      id: 'flags',
      header: '503/504 by flag',
      cell: (s) =>
        Object.entries(s.failuresByFlag)
          .map(([f, v]) => `${f} ${v.toFixed(2)}/s`)
          .join(', ') || '–',
      width: 'minmax(7rem, 1.2fr)',
      hideBelow: 1200,
    },
  ];
  return columns.filter((c) => c !== false);
}

/** The Resilience page's live panel: breaker state per service of the selected namespace ("" for all) from Prometheus. */
export function BreakerLivePanel({ namespace }: { namespace: string }) {
  const live = useQuery(breakerQuery(namespace, useMetricsRefresh()));
  const columns = useMemo(() => breakerColumns(!namespace), [namespace]);
  return (
    <PageSection
      title="Circuit breakers now"
      note="From Prometheus: Istio's response flags, and Envoy's outlier and retry stats where the proxies export them."
    >
      <QueryState query={live} label="the breaker state from Prometheus">
        {(d) => (
          <>
            {d.envoy.notice && <EnvoyStatsMissing notice={d.envoy.notice} />}
            {d.status.length === 0 ? (
              <p className="state state-empty">
                {namespace
                  ? `No live data for ${namespace}: Prometheus has no 503/504 responses or Envoy breaker stats for its services (no traffic, or no breaker activity).`
                  : 'No breaker activity recorded in any namespace.'}
              </p>
            ) : (
              <DataTable<BreakerStatus>
                label="Circuit breaker state"
                rows={d.status}
                columns={columns}
                getRowId={(s) => `${s.namespace}/${s.service}`}
                urlKey="breakers"
                rowHeight={34}
                empty="No services match."
              />
            )}
            {d.history.length > 0 && (
              <details className={styles.chartBox} open>
                <summary>503 and 504 responses over the last 30 minutes</summary>
                <TimeSeriesChart
                  series={d.history}
                  name={(s) =>
                    `${namespace ? '' : `${s.metric.destination_service_namespace}/`}${s.metric.destination_service_name} ${s.metric.response_flags}`
                  }
                  unit="rps"
                  label="503 and 504 responses per second by service and response flag (last 30 minutes)"
                />
              </details>
            )}
          </>
        )}
      </QueryState>
    </PageSection>
  );
}

/** Which Envoy stats are missing, and the two places to turn them on. */
function EnvoyStatsMissing({ notice }: { notice: EnvoyStatsNotice }) {
  return (
    <div className="notice-inline warn" role="note" aria-label="Envoy stats missing">
      <p>
        <strong>Envoy stats missing.</strong> {notice.summary}
      </p>
      <p>{notice.fallback}</p>
      <details>
        <summary>Turn them on (the proxies pick it up when their pods restart)</summary>
        <p>
          Mesh-wide, in the Istio installation (IstioOperator; or the same <code>defaultConfig</code> under the <code>mesh</code> key of ConfigMap{' '}
          <code>istio</code> in istio-system):
        </p>
        <pre className="diff">{notice.meshWide}</pre>
        <p>Or per workload, on the pod template of the callers (and of the ingress gateway, for traffic entering there):</p>
        <pre className="diff">{notice.podAnnotation}</pre>
      </details>
    </div>
  );
}
