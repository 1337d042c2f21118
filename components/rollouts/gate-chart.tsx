'use client';

import { useId } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import { formatGateValue, type RolloutCheck } from '@/lib/mesh/rollout';
import type { GateSeries } from '@/lib/metrics/rollout-series';
import styles from './rollouts.module.css';

const VERDICTS = [
  { verdict: 'pass', name: 'check passed', color: 'var(--ok)' },
  { verdict: 'fail', name: 'check failed', color: 'var(--bad)' },
  { verdict: 'hold', name: 'check held', color: 'var(--warn)' },
] as const;

/** Rows by time for recharts: the candidate's and the stable's value at each sample. */
function rowsOf(series: GateSeries) {
  const byTime = new Map<number, { t: number; candidate?: number; stable?: number }>();
  const put = (points: [number, number][] | undefined, key: 'candidate' | 'stable') => {
    for (const [t, v] of points ?? []) byTime.set(t, { ...(byTime.get(t) ?? { t }), [key]: Number.isFinite(v) ? v : undefined });
  };
  put(series.candidate, 'candidate');
  put(series.stable, 'stable');
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}

/**
 * One gate at one step: the candidate (and the stable, for a relative gate) against the
 * threshold line, with each check's verdict marked at its time and measured value (a check
 * without a value sits on the threshold line). A figure named "{gate label} at step N".
 */
export function GateChart({ series, step, checks, window }: { series: GateSeries; step: number; checks: RolloutCheck[]; window: [number, number] }) {
  const captionId = useId();
  const summaryId = useId();
  const data = rowsOf(series);
  const format = (v: unknown) => (v === undefined || v === null || Number.isNaN(Number(v)) ? 'no data' : formatGateValue(series.gate, Number(v)));
  const marks = checks.flatMap((check) => {
    const m = check.measurements.find((x) => x.gate === series.gate);
    return m ? [{ t: Math.round(Date.parse(check.at) / 1000), value: m.value ?? series.threshold, verdict: m.verdict }] : [];
  });
  const last = data.at(-1);
  // Wide enough for the longest tick ("16.5 points"): ticks near the largest value and the threshold, with room for the decimals of in-between ticks.
  const largest = Math.max(series.threshold, ...marks.map((m) => m.value), ...data.flatMap((r) => [r.candidate ?? 0, r.stable ?? 0]));
  const axisWidth = 14 + 7 * (2 + Math.max(format(largest).length, format(series.threshold).length));
  const counts = VERDICTS.map(({ verdict, name }) => `${marks.filter((m) => m.verdict === verdict).length} ${name.replace('check ', '')}`).join(', ');
  const title = `${series.label} at step ${step + 1}`;
  return (
    <figure className={styles.chart} aria-labelledby={captionId} aria-describedby={summaryId}>
      <figcaption id={captionId} className={styles.chartTitle}>
        {title}
      </figcaption>
      <p id={summaryId} className="visually-hidden">
        Threshold {series.bound} {format(series.threshold)}. Candidate now {format(last?.candidate)}
        {series.stable ? `, stable ${format(last?.stable)}` : ''}. Checks: {counts}.
      </p>
      {series.error ? (
        <p className="state state-error">{series.error}</p>
      ) : (
        <ResponsiveContainer width="100%" height={200}>
          <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 4 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis
              dataKey="t"
              type="number"
              domain={window}
              allowDataOverflow
              tickFormatter={(t: number) => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}
              minTickGap={24}
              stroke="var(--text-muted)"
              fontSize={12}
            />
            <YAxis stroke="var(--text-muted)" fontSize={12} width={axisWidth} domain={[0, 'auto']} tickFormatter={format} />
            <Tooltip
              labelFormatter={(t) => new Date(Number(t) * 1000).toLocaleTimeString()}
              formatter={format}
              contentStyle={{ background: 'var(--surface)', borderColor: 'var(--border)', color: 'var(--text)' }}
            />
            <Legend />
            <ReferenceLine
              y={series.threshold}
              stroke="var(--bad)"
              strokeDasharray="6 3"
              ifOverflow="extendDomain"
              label={{ value: `${series.bound} ${format(series.threshold)}`, position: 'insideTopRight', fill: 'var(--text-muted)', fontSize: 11 }}
            />
            <Line name="candidate" dataKey="candidate" stroke="var(--accent)" dot={false} isAnimationActive={false} connectNulls />
            {series.stable && <Line name="stable" dataKey="stable" stroke="var(--text-muted)" dot={false} isAnimationActive={false} connectNulls />}
            {VERDICTS.filter(({ verdict }) => marks.some((m) => m.verdict === verdict)).map(({ verdict, name, color }) => (
              <Scatter key={verdict} name={name} data={marks.filter((m) => m.verdict === verdict)} dataKey="value" fill={color} isAnimationActive={false} />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
