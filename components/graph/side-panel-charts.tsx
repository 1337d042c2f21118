'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { TimeSeriesChart } from '@/components/kpis/lazy-charts';
import type { GroupBy } from '@/lib/mesh/graph';
import type { Series } from '@/lib/metrics/prometheus';
import { graphSeriesQuery, type GraphSeriesRange } from '@/lib/queries/graph-series';
import { useMetricsRefresh } from '@/lib/queries/metrics-refresh';
import styles from './side-panel.module.css';

const RANGES: GraphSeriesRange[] = ['15m', '1h'];
const part = (s: Series) => s.metric.kpi ?? '?';
const hasData = (series: Series[]) => series.some((s) => s.values.some(([, v]) => Number.isFinite(v)));

/**
 * A node's or an edge's RED charts (the KPIs page's chart, loaded when first shown): rate, 4xx/5xx
 * share, P50/P95/P99, from one range query. Prometheus down: the charts say so, the panel stays.
 */
export function SidePanelCharts({ id, groupBy, tcp, what }: { id: string; groupBy: GroupBy; tcp: boolean; what: string }) {
  const [range, setRange] = useState<GraphSeriesRange>('15m');
  const charts = useQuery(graphSeriesQuery(id, groupBy, range, useMetricsRefresh()));
  const c = charts.data;
  const shared = { syncId: `graph-${id}`, window: c ? ([c.start, c.end] as [number, number]) : undefined };
  const over = c ? ` (${c.window} rate window)` : '';
  const requests = { inbound: 'Inbound requests', outbound: 'Outbound requests', edge: 'Requests' }[c?.describes ?? 'edge'];
  return (
    <>
      <div className={styles.rangePicker} role="group" aria-label="Chart range">
        {RANGES.map((r) => (
          <button key={r} type="button" className="button button-quiet button-small" aria-pressed={range === r} onClick={() => setRange(r)}>
            last {r}
          </button>
        ))}
      </div>
      {charts.isPending ? (
        <p className="state state-loading" role="status">
          Loading the charts of {what}…
        </p>
      ) : charts.isError ? (
        <div className="state state-error" role="alert">
          <strong>Charts unavailable.</strong> {charts.error.message}
        </div>
      ) : !hasData(c!.rate) ? (
        <p className="state state-empty">
          No requests of {what} in the last {range}.
        </p>
      ) : (
        <div className={styles.charts}>
          <TimeSeriesChart
            {...shared}
            series={c!.rate}
            name={part}
            unit={c!.unit}
            label={tcp ? `Bytes per second sent and received${over}` : `${requests} per second${over}`}
          />
          {!tcp && (
            <>
              <TimeSeriesChart {...shared} series={c!.errors} name={part} unit="ratio" label="Share of requests answered 4xx and 5xx" />
              {hasData(c!.latency) ? (
                <TimeSeriesChart {...shared} series={c!.latency} name={part} unit="ms" fromZero={false} label="Latency P50, P95, P99" />
              ) : (
                <p className="state state-empty">No latency histogram for {what}.</p>
              )}
            </>
          )}
        </div>
      )}
    </>
  );
}
