'use client';

import { useMemo } from 'react';
import type { DataColumn } from '@/components/ui/data-table';
import { DrawerTable } from '@/components/ui/drawer-table';
import { PageSection } from '@/components/ui/page-section';
import type { ResilienceView } from '@/lib/queries/resilience';
import type { Breakers } from './breaker-state';
import { RouteEditor } from './route-editor';
import styles from './resilience.module.css';
import { FindingsBadge } from '@/components/validation/findings-badge';
import { useFindingsByObject } from '@/lib/queries/validation';

type Route = ResilienceView['routes'][number];

const routeId = (r: Route) => `${r.namespace}/${r.virtualService}/${r.index}`;
const unset = <span className={styles.unset}>unset</span>;

/** What the route's destinations live through now: timeouts (UT) and retries per second, summed over its hosts. */
function liveOf(route: Route, breakers: Breakers): { timeouts: number; retries: number | null } | undefined {
  const statuses = route.hosts.map((h) => breakers.of(route.namespace, h)).filter((s) => s !== undefined);
  if (statuses.length === 0) return undefined;
  const retries = statuses.every((s) => s.retriesPerSecond === null) ? null : statuses.reduce((sum, s) => sum + (s.retriesPerSecond ?? 0), 0);
  return { timeouts: statuses.reduce((sum, s) => sum + s.timeoutsPerSecond, 0), retries };
}

/** One row per VirtualService HTTP route: its timeout and retries, and what its destinations see now. */
export function RoutesTable({ routes, breakers }: { routes: Route[]; breakers: Breakers }) {
  const findings = useFindingsByObject();
  const columns = useMemo<DataColumn<Route>[]>(
    () => [
      {
        id: 'vs',
        header: 'VirtualService',
        cell: (r) => (
          <span>
            {r.virtualService} <FindingsBadge summaries={findings} kind="VirtualService" namespace={r.namespace} name={r.virtualService} />
          </span>
        ),
        value: (r) => r.virtualService,
        facet: true,
        width: 'minmax(8rem, 1.4fr)',
      },
      { id: 'route', header: 'Route', cell: (r) => <strong>{r.name}</strong>, value: (r) => r.name, width: 'minmax(6rem, 1fr)' },
      { id: 'to', header: 'To', cell: (r) => r.hosts.join(', '), value: (r) => r.hosts.join(', '), width: 'minmax(6rem, 1fr)', hideBelow: 1000 },
      { id: 'timeout', header: 'Timeout', cell: (r) => r.timeout || unset, value: (r) => r.timeout, width: '5.5rem', hideBelow: 500 },
      {
        id: 'retries',
        header: 'Retries',
        cell: (r) => (r.attempts ? `${r.attempts}${r.perTryTimeout ? ` × ${r.perTryTimeout}` : ''}` : unset),
        value: (r) => r.attempts,
        width: '6.5rem',
        hideBelow: 600,
      },
      {
        id: 'retryOn',
        header: 'Retry on',
        cell: (r) =>
          r.retryOn ? (
            <span className={styles.oneLine} title={r.retryOn}>
              {r.retryOn}
            </span>
          ) : (
            unset
          ),
        value: (r) => r.retryOn,
        width: 'minmax(8rem, 1.4fr)',
        hideBelow: 1200,
      },
      {
        id: 'live',
        header: 'Live UT / retries',
        cell: (r) => {
          const live = liveOf(r, breakers);
          if (!live) return <span className="muted">{breakers.error ? 'unknown' : 'no data'}</span>;
          return (
            <span className={styles.liveNumbers}>
              UT {live.timeouts.toFixed(2)}/s · retries {live.retries === null ? 'n/a' : `${live.retries.toFixed(2)}/s`}
            </span>
          );
        },
        value: (r) => liveOf(r, breakers)?.timeouts ?? -1,
        width: 'minmax(9rem, 1.2fr)',
        hideBelow: 800,
      },
    ],
    [breakers, findings],
  );
  return (
    <PageSection title="Timeouts and retries" note="One row per VirtualService route.">
      <DrawerTable<Route>
        label="Routes' timeouts and retries"
        rows={routes}
        columns={columns}
        getRowId={routeId}
        urlKey="routes"
        openKey="route"
        rowHeight={36}
        empty="No routes match."
        title={(route, id) => (route ? `Route ${route.virtualService} · ${route.name}` : `Route ${id}`)}
        missing={() => 'This route is not in this view: it was deleted, or it is outside the selected namespace.'}
        details={(route) => <RouteEditor route={route} />}
      />
    </PageSection>
  );
}
