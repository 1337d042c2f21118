'use client';

import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useState, useSyncExternalStore } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { DataTable, type DataColumn } from '@/components/ui/data-table';
import { Drawer } from '@/components/ui/drawer';
import { QueryState } from '@/components/ui/query-state';
import { FindingsBadge } from '@/components/validation/findings-badge';
import type { FindingsSummary } from '@/lib/mesh/validation';
import { useFindingsByObject } from '@/lib/queries/validation';
import { indexLive } from '@/lib/metrics/traffic-live';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { useMetricsRefresh } from '@/lib/queries/metrics-refresh';
import { trafficQuery } from '@/lib/queries/traffic';
import { trafficLiveQuery } from '@/lib/queries/traffic-live';
import { useUrlState } from '@/lib/url-state';
import { TrafficLiveContext, type TrafficLiveState } from './live-numbers';
import { matchText, routeRows, routeText, splitText, type RouteRow } from './route-rows';
import { RouteSplit, WriteDenialContext } from './route-split';
import { StartRolloutContext } from './rollout-state';
import styles from './traffic.module.css';

// The drawer's editors (with the review's diff and YAML) load when a route is first opened, not with the table.
const RouteDetails = dynamic(() => import('./route-details').then((m) => m.RouteDetails), {
  loading: () => <p className={styles.muted}>Loading the route…</p>,
});
const StartRolloutForm = dynamic(() => import('./start-rollout').then((m) => m.StartRolloutForm), {
  loading: () => <p className={styles.muted}>Loading the rollout form…</p>,
});

/**
 * Every row's height in px (traffic.module.css: two destination lines of 1.5rem, or on phones two
 * lines each, plus the table's row padding and border): rows that match the estimate are never
 * re-measured, which keeps scrolling 20,000 routes smooth.
 */
const ROW_HEIGHT = 60;
const PHONE_ROW_HEIGHT = 108;
const PHONE = '(max-width: 699px)';
const subscribePhone = (onChange: () => void) => {
  const query = window.matchMedia(PHONE);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
};

/** The open route's id in the URL (namespace/VirtualService/index). */
const OPEN_PARAM = 'route';

/**
 * Every route of every VirtualService (in the selected namespace, or all) as one table: the
 * split with compact sliders and live numbers in the row, the full editor in a drawer. Filter,
 * sort and the open route are in the URL.
 */
export function TrafficPage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const traffic = useQuery(trafficQuery(namespace));
  const refresh = useMetricsRefresh();
  const liveQuery = useQuery(trafficLiveQuery(namespace, refresh));
  const [openId, setOpenId] = useUrlState(OPEN_PARAM);
  // The route whose "Start rollout" dialog is open: over the route's drawer, as a dialog of its own.
  const [startingId, setStartingId] = useState<string>();
  const denial = useDenial('traffic:write');
  const narrow = useSyncExternalStore(
    subscribePhone,
    () => window.matchMedia(PHONE).matches,
    () => false,
  );

  const rows = useMemo(() => routeRows(traffic.data?.items ?? []), [traffic.data]);
  const open = useCallback((row: RouteRow) => setOpenId(row.id), [setOpenId]);
  const findings = useFindingsByObject();
  const columns = useMemo(() => trafficColumns(open, findings), [open, findings]);
  const live = useMemo<TrafficLiveState>(
    () => ({
      index: liveQuery.data ? indexLive(liveQuery.data) : null,
      problem: liveQuery.isError ? liveQuery.error.message : null,
      window: liveQuery.data?.window ?? '5m',
    }),
    [liveQuery.data, liveQuery.isError, liveQuery.error],
  );
  const openRow = openId ? rows.find((r) => r.id === openId) : undefined;
  const startingRow = startingId ? rows.find((r) => r.id === startingId) : undefined;
  const where = namespace ? `in ${namespace}` : 'in the cluster';

  return (
    <>
      <h1>Traffic</h1>
      <p className="muted">
        Every route of every VirtualService {where} with its destinations&apos; live numbers. Move a split in its row or open the route; each change is reviewed
        as a diff and applied on the version you saw.
      </p>
      <p role="status" aria-label="Live numbers" className={live.problem ? 'notice-inline warn' : styles.muted}>
        {live.problem
          ? `Live numbers unavailable: ${live.problem}. The sliders work without them.`
          : liveQuery.isPending
            ? 'Loading live numbers from Prometheus…'
            : `Live numbers from Prometheus over the last ${live.window}; ${refresh ? `refreshed every ${refresh} s` : 'refresh off'}.`}
      </p>
      {denial && <p className="hint">{denial}</p>}
      <WriteDenialContext.Provider value={denial}>
        <TrafficLiveContext.Provider value={live}>
          <QueryState query={traffic} label="VirtualServices" isEmpty={(data) => data.items.length === 0} empty={`No VirtualServices ${where}.`}>
            {() => (
              <DataTable<RouteRow>
                label="Routes"
                rows={rows}
                columns={columns}
                getRowId={(row) => row.id}
                urlKey="routes"
                openId={openRow?.id}
                onOpen={open}
                rowHeight={narrow ? PHONE_ROW_HEIGHT : ROW_HEIGHT}
                empty="No routes match the filters."
              />
            )}
          </QueryState>
          <Drawer
            title={openRow ? `Route ${openRow.route.name} in ${openRow.vs.namespace}/${openRow.vs.name}` : 'Route'}
            open={Boolean(openRow)}
            onClose={() => setOpenId(undefined)}
          >
            {openRow && (
              <StartRolloutContext.Provider value={setStartingId}>
                <RouteDetails key={openRow.id} vs={openRow.vs} route={openRow.route} />
              </StartRolloutContext.Provider>
            )}
          </Drawer>
          <Drawer title="Start rollout" open={Boolean(startingRow)} onClose={() => setStartingId(undefined)}>
            {startingRow && <StartRolloutForm key={startingRow.id} vs={startingRow.vs} route={startingRow.route} />}
          </Drawer>
        </TrafficLiveContext.Provider>
      </WriteDenialContext.Provider>
    </>
  );
}

type Column = Omit<DataColumn<RouteRow>, 'cell' | 'value'> & { value: (row: RouteRow) => string; cell?: DataColumn<RouteRow>['cell'] };

function trafficColumns(open: (row: RouteRow) => void, findings: ReadonlyMap<string, FindingsSummary> | undefined): DataColumn<RouteRow>[] {
  const badge = (r: RouteRow) => <FindingsBadge summaries={findings} kind="VirtualService" namespace={r.vs.namespace} name={r.vs.name} />;
  const columns: Column[] = [
    { id: 'namespace', header: 'Namespace', value: (r) => r.vs.namespace, facet: true, width: 'minmax(6rem, 0.6fr)', hideBelow: 1000 },
    {
      id: 'virtualService',
      header: 'VirtualService',
      value: (r) => r.vs.name,
      width: 'minmax(7rem, 0.8fr)',
      hideBelow: 700,
      cell: (r) => (
        <span className={styles.text} title={`Hosts ${r.vs.hosts.join(', ')} · via ${r.vs.gateways.join(', ')}`}>
          {badge(r)} {r.vs.name}
          {r.vs.managedBy && <span className="badge badge-managed">managed</span>}
        </span>
      ),
    },
    { id: 'hosts', header: 'Hosts', value: (r) => r.vs.hosts.join(', '), width: 'minmax(7rem, 0.8fr)', hideBelow: 1300 },
    {
      id: 'route',
      header: 'Route',
      value: routeText,
      width: 'minmax(7rem, 1fr)',
      cell: (r) => (
        <span className={styles.route}>
          <button type="button" className={styles.open} onClick={() => open(r)}>
            <span className="visually-hidden">Open route </span>
            {r.route.name}
            <span className="visually-hidden"> of {r.vs.name}</span>
          </button>
          <span className={styles.vsOnPhones}>
            {badge(r)} in {r.vs.name}
          </span>
          <span className={styles.match} title={matchText(r)}>
            {r.route.index + 1}. {matchText(r)}
          </span>
        </span>
      ),
    },
    { id: 'strategy', header: 'Strategy', value: (r) => r.route.strategy, facet: true, width: '6.5rem', hideBelow: 1500 },
    {
      id: 'split',
      header: 'Destinations',
      value: splitText,
      width: 'minmax(12rem, 4fr)',
      cell: (r) => <RouteSplit row={r} onReview={open} />,
    },
    {
      id: 'status',
      header: 'Status',
      value: (r) => r.status,
      facet: true,
      width: '6.5rem',
      hideBelow: 800,
      cell: (r) => <span className={r.status === 'ok' ? styles.ok : styles.warn}>{r.status}</span>,
    },
  ];
  // Plain columns show their value on one line, cut with an ellipsis.
  return columns.map((c) => ({ ...c, cell: c.cell ?? ((row: RouteRow) => <span className={styles.text}>{c.value(row)}</span>) }));
}
