'use client';

import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatValue, type Unit } from '@/lib/format';
import type { Series } from '@/lib/metrics/prometheus';
import styles from './charts.module.css';

const COLORS = ['#2458d6', '#c27c0e', '#1b7f3b', '#c0262d', '#7b4cc2', '#0f8b8d', '#a0567a', '#55606e'];
const CHAR_PX = 7; // width of a tick label character at the axis' 12 px font
const DAY = 86_400;

/** Series → rows keyed by time, for recharts. */
function rows(series: Series[], name: (s: Series) => string) {
  const byTime = new Map<number, Record<string, number>>();
  for (const s of series)
    for (const [t, v] of s.values) {
      const row = byTime.get(t) ?? { t };
      row[name(s)] = Number.isFinite(v) ? v : NaN;
      byTime.set(t, row);
    }
  return [...byTime.values()].sort((a, b) => a.t! - b.t!);
}

/** A time tick: hours and minutes, with the day when the window spans more than one. */
const timeTick = (spanSeconds: number) => (t: number) =>
  new Date(t * 1000).toLocaleString(
    [],
    spanSeconds > DAY / 2 ? { day: 'numeric', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' },
  );

/**
 * The Y axis wide enough for its longest label (a fixed width clips `1.23k/s`): recharts'
 * ticks are near the data's extremes, so the formatted maximum and minimum stand for them.
 */
function axisWidth(series: Series[], unit: Unit) {
  const values = series.flatMap((s) => s.values.map(([, v]) => v)).filter(Number.isFinite);
  const labels = values.length ? [Math.max(...values), Math.min(...values), 0] : [0];
  return 12 + CHAR_PX * Math.max(...labels.map((v) => formatValue(v, unit).length));
}

export interface TimeSeriesChartProps {
  series: Series[];
  /** The legend name of a series. */
  name: (s: Series) => string;
  unit: Unit;
  /** What the chart shows; also its accessible name (with the series' names). */
  label: string;
  /** Charts with the same id share a crosshair and tooltip position (one service's charts). */
  syncId?: string;
  /** The time window [start, end] in seconds: charts of one window share the same time axis. */
  window?: [number, number];
  /** The Y axis starts at 0 (rates, ratios); latency may start elsewhere. */
  fromZero?: boolean;
}

export function TimeSeriesChart({ series, name, unit, label, syncId, window, fromZero = true }: TimeSeriesChartProps) {
  const data = rows(series, name);
  const keys = [...new Set(series.map(name))].sort();
  const span = window ? window[1] - window[0] : (data.at(-1)?.t ?? 0) - (data[0]?.t ?? 0);
  const format = (v: unknown) => formatValue(Number(v), unit);
  // Synced charts all follow the pointer; only the one under it shows the tooltip box, the others the crosshair.
  const [pointed, setPointed] = useState(false);
  return (
    <figure
      className={styles.chart}
      role="img"
      aria-label={`${label}: ${keys.join(', ')}`}
      onPointerEnter={() => setPointed(true)}
      onPointerLeave={() => setPointed(false)}
    >
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} syncId={syncId} syncMethod="value" margin={{ top: 8, right: 20, bottom: 0, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis
            dataKey="t"
            type="number"
            domain={window ?? ['dataMin', 'dataMax']}
            allowDataOverflow
            tickFormatter={timeTick(span)}
            minTickGap={24}
            stroke="var(--text-muted)"
            fontSize={12}
          />
          <YAxis
            stroke="var(--text-muted)"
            fontSize={12}
            width={axisWidth(series, unit)}
            domain={fromZero ? [0, 'auto'] : ['auto', 'auto']}
            tickFormatter={format}
          />
          <Tooltip
            labelFormatter={(t) => new Date(Number(t) * 1000).toLocaleTimeString()}
            formatter={format}
            contentStyle={{ background: 'var(--surface)', borderColor: 'var(--border)', color: 'var(--text)' }}
            wrapperStyle={{ visibility: pointed || !syncId ? 'visible' : 'hidden' }}
          />
          <Legend />
          {keys.map((k, i) => (
            <Line key={k} dataKey={k} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <figcaption className="muted">{label}</figcaption>
    </figure>
  );
}
