'use client';

import Link from 'next/link';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { LocalTime } from '@/components/shell/local-time';
import { PageSection } from '@/components/ui/page-section';
import { QueryState } from '@/components/ui/query-state';
import {
  controlRefusal,
  destinationLabel,
  formatGateValue,
  gateInfo,
  gateThresholds,
  isActive,
  nextCheckAt,
  ROLLOUT_CONTROLS,
  stepText,
  type DestinationRef,
  type RolloutPlan,
  type RolloutState,
} from '@/lib/mesh/rollout';
import { useRollout, type RolloutAnswer, type RolloutItem } from '@/lib/queries/rollouts';
import { useHydrated } from '@/lib/use-hydrated';
import { ControllerArming } from './controller-arming';
import { RolloutActionButton } from './rollout-action';
import { PHASE_TEXT } from './rollout-phase';
import { durationText, stableText } from './rollout-text';
import { RolloutTimeline } from './rollout-timeline';
import { PhaseBadge } from './rollouts-page';
import styles from './rollouts.module.css';

const LOADING = { data: undefined, isPending: true, isError: false, error: null } as const;
const destinationText = (d: DestinationRef) => (d.subset ? `${d.host} (subset ${d.subset})` : d.host);

/** One rollout: where it is now with the operator's controls, its plan, and its timeline with each step's gate charts. */
export function RolloutPage({ namespace, name }: { namespace: string; name: string }) {
  const hydrated = useHydrated();
  const rollout = useRollout({ namespace, name });
  return (
    <>
      <div className={styles.titleBar}>
        <h1>Rollout {name}</h1>
        {hydrated && rollout.data && <PhaseBadge phase={rollout.data.item.state.phase} />}
      </div>
      <p className="muted">
        VirtualService {namespace}/{name} · <Link href="/rollouts">All rollouts</Link>
      </p>
      <QueryState query={hydrated ? rollout : LOADING} label={`rollout ${name}`}>
        {(data) => <RolloutDetail answer={data} readAt={rollout.dataUpdatedAt} />}
      </QueryState>
    </>
  );
}

function RolloutDetail({ answer: { item, controller }, readAt }: { answer: RolloutAnswer; readAt: number }) {
  const { state } = item;
  return (
    <>
      <ControllerArming controller={controller} active={isActive(state) ? 1 : 0} />
      <RolloutNow item={item} readAt={readAt} />
      <PlanSummary plan={state.plan} state={state} />
      <RolloutTimeline vs={item} state={state} />
    </>
  );
}

/** The newest check of any step. */
const lastCheck = (state: RolloutState) =>
  [...state.history]
    .reverse()
    .find((r) => r.checks.length)
    ?.checks.at(-1);

/** `readAt`: when the answer was read (ms), the clock a late check is measured by. */
function RolloutNow({ item, readAt }: { item: RolloutItem; readAt: number }) {
  const { state } = item;
  const { plan } = state;
  const check = lastCheck(state);
  const next = nextCheckAt(state);
  return (
    <PageSection title="Now" note={isActive(state) ? 'Read again every few seconds.' : undefined}>
      <dl className={`facts ${styles.facts}`}>
        <dt>Phase</dt>
        <dd>
          {PHASE_TEXT[state.phase]}
          {state.pausedBy && <> by {state.pausedBy}</>}
          {state.endedAt && (
            <>
              {' '}
              (<LocalTime iso={state.endedAt} compact />)
            </>
          )}
        </dd>
        {(state.pausedReason ?? state.endReason) && (
          <>
            <dt>Why</dt>
            <dd className={state.phase === 'RolledBack' ? 'tone-bad' : state.phase === 'Paused' ? 'tone-warn' : undefined}>
              {state.pausedReason ?? state.endReason}
            </dd>
          </>
        )}
        <dt>Step</dt>
        <dd>
          {isActive(state) ? '' : 'ended at '}
          {stepText(plan, state.step)}, since <LocalTime iso={state.stepStartedAt} compact />
          {isActive(state) && <span className="muted"> (each step lasts at least {durationText(plan.stepSeconds)})</span>}
        </dd>
        <dt>Weights now</dt>
        <dd>{item.destinations.map((d) => `${destinationLabel(d)} ${d.weight} %`).join(' · ') || 'the route has no destinations'}</dd>
        {isActive(state) && (
          <>
            <dt>Failed checks in a row</dt>
            <dd>
              {state.failedChecks} of {plan.maxFailedChecks} before a rollback
            </dd>
          </>
        )}
        {next && (
          <>
            <dt>Next check</dt>
            <dd>
              <LocalTime iso={next.toISOString()} compact />
              {/* A check more than an interval late: nothing measures this rollout (the controller stopped or lost its Lease). */}
              {readAt - next.getTime() > plan.intervalSeconds * 1000 + 10_000 && (
                <span className="tone-bad"> overdue: no replica is checking this rollout (see /api/readyz)</span>
              )}
            </dd>
          </>
        )}
        {state.acknowledged && (
          <>
            <dt>Acknowledged</dt>
            <dd>
              by {state.acknowledged.by} (<LocalTime iso={state.acknowledged.at} compact />)
            </dd>
          </>
        )}
      </dl>
      {check && (
        <div className={styles.scroll}>
          <table className={`table ${styles.numbers}`} aria-label="Last check">
            <caption>
              Last check:{' '}
              <strong className={check.verdict === 'fail' ? 'tone-bad' : check.verdict === 'hold' ? 'tone-warn' : 'tone-ok'}>{check.verdict}</strong> (
              <LocalTime iso={check.at} compact />){check.error && <span className="tone-warn"> · {check.error}</span>}
            </caption>
            <thead>
              <tr>
                <th scope="col">Gate</th>
                <th scope="col">Candidate</th>
                <th scope="col">Stable</th>
                <th scope="col">Threshold</th>
                <th scope="col">Verdict</th>
              </tr>
            </thead>
            <tbody>
              {check.measurements.map((m) => (
                <tr key={m.gate}>
                  <th scope="row">{gateInfo(m.gate).label}</th>
                  <td>{m.value === null ? 'no data' : formatGateValue(m.gate, m.value)}</td>
                  <td>{stableText(m)}</td>
                  <td>
                    {m.bound} {formatGateValue(m.gate, m.threshold)}
                  </td>
                  <td className={m.verdict === 'fail' ? 'tone-bad' : m.verdict === 'hold' ? 'tone-warn' : 'tone-ok'}>{m.verdict}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RolloutControls item={item} />
    </PageSection>
  );
}

/** The controls the phase allows; for those whose role does not, the buttons are off and a line says why. */
function RolloutControls({ item }: { item: RolloutItem }) {
  const writeDenial = useDenial('rollout:write', item.namespace);
  const overrideDenial = useDenial('rollout:override', item.namespace);
  const [applied, setApplied] = useState<string>();
  const offered = ROLLOUT_CONTROLS.filter((action) => !controlRefusal(item.state, action));
  const appliedLine = applied && (
    <p role="status" className="notice-inline ok">
      {applied}
    </p>
  );
  if (offered.length === 0) return appliedLine ?? null;
  const overrides = offered.some((a) => a === 'skip' || a === 'promote');
  return (
    <>
      <div className={`toolbar ${styles.controls}`} role="group" aria-label="Rollout controls">
        {offered.map((action) => (
          <RolloutActionButton key={action} item={item} state={item.state} action={action} onApplied={setApplied} />
        ))}
      </div>
      {appliedLine}
      {writeDenial ? (
        <p className="hint">{writeDenial}</p>
      ) : (
        overrides &&
        overrideDenial && <p className="hint">Skip step and Promote now bypass the gates&apos; evidence: {overrideDenial.replace(/^Your role/, 'your role')}</p>
      )}
    </>
  );
}

function PlanSummary({ plan, state }: { plan: RolloutPlan; state: RolloutState }) {
  return (
    <PageSection title="Plan" note={plan.preset ? `from the preset ${plan.preset}` : undefined}>
      <dl className={`facts ${styles.facts}`}>
        <dt>Route</dt>
        <dd>{plan.routeName ? `${plan.routeName} (http[${plan.route}])` : `http[${plan.route}]`}</dd>
        <dt>Stable</dt>
        <dd>{destinationText(plan.stable)}</dd>
        <dt>Candidate</dt>
        <dd>{destinationText(plan.candidate)}</dd>
        <dt>Steps</dt>
        <dd>
          <ol className={styles.stepList} aria-label="Steps">
            {plan.steps.map((w, i) => (
              <li key={w} aria-current={i === state.step && isActive(state) ? 'step' : undefined}>
                {w} %
              </li>
            ))}
          </ol>
        </dd>
        <dt>Time per step</dt>
        <dd>{durationText(plan.stepSeconds)}</dd>
        <dt>Check interval</dt>
        <dd>{durationText(plan.intervalSeconds)}</dd>
        <dt>Window</dt>
        <dd>{durationText(plan.windowSeconds)}</dd>
        <dt>Gates</dt>
        <dd>
          <ul className={styles.gates}>
            {gateThresholds(plan.gates).map((t) => (
              <li key={`${t.gate}-${t.bound}`}>
                {gateInfo(t.gate).label}: {t.bound} {formatGateValue(t.gate, t.threshold)}
                {t.gate === 'minRequests' && <span className="muted"> (too few holds the step, never fails it)</span>}
              </li>
            ))}
          </ul>
          {(plan.gates.custom ?? []).map((c) => (
            <p key={c.name} className={styles.tight}>
              <code className={styles.query}>{c.query}</code> <span className="muted">({c.name})</span>
            </p>
          ))}
        </dd>
        <dt>Failure policy</dt>
        <dd>
          Roll back after {plan.maxFailedChecks} failed check{plan.maxFailedChecks === 1 ? '' : 's'} in a row
        </dd>
        <dt>Started</dt>
        <dd>
          <LocalTime iso={state.startedAt} compact /> by {state.startedBy}: {state.reason}
        </dd>
      </dl>
    </PageSection>
  );
}
