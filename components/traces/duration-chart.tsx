'use client';

import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMs } from '@/lib/format';
import type { TraceSummary } from '@/lib/traces/trace';
import { timeOf } from './time';
import styles from './traces.module.css';

/** Each trace as a dot: when it started and how long it took; failing ones in the error colour; a click opens it. */
export function DurationChart({ traces, onOpen }: { traces: TraceSummary[]; onOpen: (id: string) => void }) {
  const points = traces.map((t) => ({ t: t.startUs, ms: t.durationUs / 1000, id: t.traceID, error: t.error }));
  const longest = formatMs(Math.max(...points.map((p) => p.ms)));
  return (
    <figure className={styles.chart} role="img" aria-label={`Trace durations over time: ${traces.length} traces`}>
      <ResponsiveContainer width="100%" height={200}>
        <ScatterChart margin={{ top: 8, right: 20, bottom: 0, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            name="started"
            tickFormatter={timeOf}
            minTickGap={24}
            stroke="var(--text-muted)"
            fontSize={12}
          />
          <YAxis
            dataKey="ms"
            type="number"
            name="duration"
            tickFormatter={(v: number) => formatMs(v)}
            width={14 + 7 * longest.length}
            stroke="var(--text-muted)"
            fontSize={12}
          />
          <Tooltip
            formatter={(v, name) => (name === 'duration' ? formatMs(Number(v)) : timeOf(Number(v)))}
            contentStyle={{ background: 'var(--surface)', borderColor: 'var(--border)', color: 'var(--text)' }}
          />
          {[false, true].map((error) => (
            <Scatter
              key={String(error)}
              name={error ? 'failed' : 'ok'}
              data={points.filter((p) => p.error === error)}
              fill={error ? 'var(--bad)' : 'var(--accent)'}
              onClick={(p) => onOpen((p as unknown as { id: string }).id)}
            />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}
