'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Series } from '@/lib/metrics/prometheus';

const COLORS = ['#2458d6', '#c27c0e', '#1b7f3b', '#c0262d', '#7b4cc2', '#0f8b8d', '#a0567a', '#55606e'];

/** Series → rows keyed by time, for recharts. */
function rows(series: Series[], name: (s: Series) => string) {
  const byTime = new Map<number, Record<string, number>>();
  for (const s of series) for (const [t, v] of s.values) (byTime.get(t) ?? byTime.set(t, { t }).get(t)!)[name(s)] = Number.isFinite(v) ? v : NaN;
  return [...byTime.values()].sort((a, b) => a.t! - b.t!);
}

export function TimeSeriesChart({ series, name, unit, label }: { series: Series[]; name: (s: Series) => string; unit: string; label: string }) {
  const data = rows(series, name);
  const keys = [...new Set(series.map(name))];
  return (
    <figure className="chart" role="img" aria-label={`${label}: ${keys.join(', ')}`}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(t: number) => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
            stroke="var(--text-muted)"
          />
          <YAxis stroke="var(--text-muted)" width={56} tickFormatter={(v: number) => `${Number(v.toPrecision(3))}${unit}`} />
          <Tooltip labelFormatter={(t) => new Date(Number(t) * 1000).toLocaleTimeString()} formatter={(v) => `${Number(Number(v).toPrecision(4))}${unit}`} />
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

export function Sparkline({ points, label }: { points: [number, number][] | undefined; label: string }) {
  if (!points?.length) return <span className="muted">–</span>;
  return (
    <span role="img" aria-label={label} className="sparkline">
      <LineChart width={120} height={28} data={points.map(([t, v]) => ({ t, v }))}>
        <Line dataKey="v" stroke="var(--accent)" dot={false} isAnimationActive={false} strokeWidth={1.5} />
      </LineChart>
    </span>
  );
}
