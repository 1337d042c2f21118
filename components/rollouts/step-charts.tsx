'use client';

import type { RolloutStepRecord } from '@/lib/mesh/rollout';
import { useRolloutSeries } from '@/lib/queries/rollouts';
import { GateChart } from './lazy-gate-chart';
import styles from './rollouts.module.css';

/**
 * One step's gates as charts (Prometheus over the step's time), each with its threshold and the
 * step's check verdicts. Prometheus down: the charts say so, the rest of the page stays.
 */
export function StepCharts({ vs, record, running }: { vs: { namespace: string; name: string }; record: RolloutStepRecord; running: boolean }) {
  const series = useRolloutSeries(vs, record.index, running);
  if (series.isPending)
    return (
      <p className="state state-loading" role="status">
        Loading the gate charts of step {record.index + 1}…
      </p>
    );
  if (series.isError)
    return (
      <div className="state state-error" role="alert">
        <strong>Gate charts unavailable.</strong> {series.error.message}
      </div>
    );
  const { gates } = series.data;
  const window: [number, number] = [Date.parse(series.data.from) / 1000, Date.parse(series.data.to) / 1000];
  if (gates.length === 0) return <p className="state state-empty">This plan has no gates to chart.</p>;
  return (
    <div className={styles.charts}>
      {gates.map((gate) => (
        <GateChart key={gate.gate} series={gate} step={record.index} checks={record.checks} window={window} />
      ))}
    </div>
  );
}
