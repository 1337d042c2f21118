'use client';

import { LocalTime } from '@/components/shell/local-time';
import { PageSection } from '@/components/ui/page-section';
import { describeMeasurement, isActive, stepWeight, type RolloutEvent, type RolloutState, type RolloutStepRecord } from '@/lib/mesh/rollout';
import { useUrlState } from '@/lib/url-state';
import { checkCountsText, decidingMeasurement, stepsWithEvents, stepTitle } from './rollout-text';
import { StepCharts } from './step-charts';
import styles from './rollouts.module.css';

const OUTCOME_TONE: Record<NonNullable<RolloutStepRecord['outcome']>, string> = {
  passed: 'ok',
  promoted: 'ok',
  failed: 'bad',
  skipped: 'warn',
  aborted: 'warn',
};

/**
 * The rollout's steps as they happened, one list item each: weight, when, how it ended, its
 * checks and the gate that failed or held it, and what people and the controller did meanwhile.
 * One step at a time shows its gate charts (the newest measured one unless another is picked; the URL keeps it).
 */
export function RolloutTimeline({ vs, state }: { vs: { namespace: string; name: string }; state: RolloutState }) {
  const [picked, setPicked] = useUrlState('step');
  // The newest step with checks (a promotion's record has none), else the newest.
  const current = (state.history.findLast((r) => r.checkCount > 0) ?? state.history.at(-1))?.index;
  // "none": the person closed the charts.
  const selected = picked === '' ? current : Number(picked) - 1;
  const upcoming = state.plan.steps.map((_, i) => i).filter((i) => isActive(state) && i > state.step);
  return (
    <PageSection title="Timeline" note="One step at a time shows its gate charts (the newest measured one unless you pick another).">
      <ol className={styles.timeline} aria-label="Rollout timeline">
        {stepsWithEvents(state).map(({ record, events }) => (
          <StepItem
            key={record.index}
            vs={vs}
            state={state}
            record={record}
            events={events}
            open={record.index === selected}
            onToggle={() => setPicked(record.index === selected ? 'none' : String(record.index + 1))}
          />
        ))}
      </ol>
      {upcoming.length > 0 && <p className="muted">Still to come: {upcoming.map((i) => `${stepWeight(state.plan, i)} %`).join(', ')}, then the promotion.</p>}
    </PageSection>
  );
}

function StepItem({
  vs,
  state,
  record,
  events,
  open,
  onToggle,
}: {
  vs: { namespace: string; name: string };
  state: RolloutState;
  record: RolloutStepRecord;
  events: RolloutEvent[];
  open: boolean;
  onToggle: () => void;
}) {
  const running = !record.endedAt && isActive(state);
  const outcome = record.outcome ?? (running ? (state.phase === 'Paused' ? 'paused' : 'running') : 'ended');
  // A passed step's early holds (waiting for requests) are no news; a failed check, or what holds the running step, is.
  const deciding = record.failedCount > 0 || running ? decidingMeasurement(record) : undefined;
  const chartsId = `step-${record.index}-charts`;
  return (
    <li className={`${styles.step} ${running ? styles.stepCurrent : ''}`}>
      <div className={styles.stepHead}>
        <h3>{stepTitle(state.plan, record.index)}</h3>
        <span className={`${styles.phase} ${styles[(record.outcome && OUTCOME_TONE[record.outcome]) || 'muted']}`}>{outcome}</span>
        <span className="muted">
          <LocalTime iso={record.startedAt} compact />
          {record.endedAt && (
            <>
              {' – '}
              <LocalTime iso={record.endedAt} compact />
            </>
          )}
        </span>
      </div>
      <p className={styles.tight}>
        {checkCountsText(record)}
        {deciding && (
          <span className={deciding.verdict === 'fail' ? 'tone-bad' : 'tone-warn'}>
            {' '}
            · {deciding.verdict === 'fail' ? 'failed' : 'held'} on {describeMeasurement(deciding)}
          </span>
        )}
      </p>
      {events.map((e) => (
        <p key={`${e.at}-${e.action}`} className={`${styles.event} ${e.action === 'rollback' || e.action === 'foreign-change' ? 'tone-bad' : ''}`}>
          <LocalTime iso={e.at} compact /> <strong>{e.action}</strong> by {e.by}: {e.message}
        </p>
      ))}
      <button type="button" className="button button-quiet button-small" aria-expanded={open} aria-controls={chartsId} onClick={onToggle}>
        {open ? 'Hide' : 'Show'} gate charts of step {record.index + 1}
      </button>
      <div id={chartsId}>{open && <StepCharts vs={vs} record={record} running={running} />}</div>
    </li>
  );
}
