'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import { DataTable, type DataColumn } from '@/components/ui/data-table';
import { formatMs, formatPercent, formatRate } from '@/lib/format';
import type { ServiceRow } from '@/lib/metrics/kpis';
import type { KpiParams } from '@/lib/queries/kpis';
import { traceSearchHref } from '@/lib/queries/traces';
import { Sparkline } from '@/components/ui/sparkline';
import styles from './services-table.module.css';

const RANGE_SECONDS: Record<string, number> = { '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400 };
export const serviceKey = (row: { namespace: string; service: string }) => `${row.namespace}/${row.service}`;

/** The service's traces in the page's time window, the selected namespace kept. */
function traceLink(row: ServiceRow, params: KpiParams, filter: Record<string, string>) {
  const end = params.range === 'custom' && params.to ? Number(params.to) : Math.floor(Date.now() / 1000);
  const seconds = params.range === 'custom' && params.from ? end - Number(params.from) : (RANGE_SECONDS[params.range] ?? 3600);
  return traceSearchHref(params.namespace, row, { start: String((end - seconds) * 1e6), end: String(end * 1e6), limit: '50', ...filter });
}

/**
 * RED per service as a dense table: sortable by rate, errors and latency, filterable by name
 * (and namespace, when all are shown); a row opens the service's charts.
 */
export function ServicesTable({
  rows,
  sparklines,
  params,
  openId,
  onOpen,
}: {
  rows: ServiceRow[];
  sparklines: Record<string, [number, number][]> | undefined;
  params: KpiParams;
  openId: string | undefined;
  onOpen: (row: ServiceRow) => void;
}) {
  const allNamespaces = !params.namespace;
  const columns = useMemo<DataColumn<ServiceRow>[]>(
    () => [
      {
        id: 'service',
        header: 'Service',
        width: 'minmax(9rem, 2fr)',
        value: (r) => r.service,
        cell: (r) => (
          <button type="button" className={`linkish ${styles.name}`} onClick={() => onOpen(r)}>
            {r.service}
          </button>
        ),
      },
      ...(allNamespaces
        ? [
            {
              id: 'namespace',
              header: 'Namespace',
              width: 'minmax(6rem, 1fr)',
              value: (r: ServiceRow) => r.namespace,
              cell: (r: ServiceRow) => r.namespace,
              facet: true,
              hideBelow: 700,
            },
          ]
        : []),
      { id: 'rate', header: 'Requests', width: '5.5rem', align: 'end', value: (r) => r.rate, cell: (r) => formatRate(r.rate) },
      { id: 'errors', header: 'Errors', width: '5rem', align: 'end', value: (r) => r.errorRatio, cell: (r) => formatPercent(r.errorRatio) },
      { id: 'p50', header: 'P50', width: '4.5rem', align: 'end', value: (r) => r.p50 ?? -1, cell: (r) => formatMs(r.p50), hideBelow: 700 },
      { id: 'p95', header: 'P95', width: '4.5rem', align: 'end', value: (r) => r.p95 ?? -1, cell: (r) => formatMs(r.p95), hideBelow: 700 },
      { id: 'p99', header: 'P99', width: '4.5rem', align: 'end', value: (r) => r.p99 ?? -1, cell: (r) => formatMs(r.p99), hideBelow: 520 },
      {
        id: 'trend',
        header: 'Trend',
        width: '8rem',
        hideBelow: 900,
        cell: (r) =>
          sparklines ? (
            <Sparkline points={(sparklines[serviceKey(r)] ?? []).map(([, v]) => v)} label={`${r.service} request rate trend`} width={120} height={28} />
          ) : (
            '–'
          ),
      },
      {
        id: 'traces',
        header: 'Traces',
        width: '6.5rem',
        hideBelow: 900,
        cell: (r) => (
          <>
            <Link href={traceLink(r, params, { tags: JSON.stringify({ error: 'true' }) })}>errors</Link> ·{' '}
            <Link href={traceLink(r, params, r.p95 ? { minDuration: `${Math.round(r.p95)}ms` } : {})}>slow</Link>
          </>
        ),
      },
    ],
    [allNamespaces, onOpen, params, sparklines],
  );
  return (
    <DataTable<ServiceRow>
      label="Service metrics"
      rows={rows}
      columns={columns}
      getRowId={serviceKey}
      urlKey="services"
      openId={openId}
      onOpen={onOpen}
      rowHeight={40}
      empty="No service matches the filter."
    />
  );
}
