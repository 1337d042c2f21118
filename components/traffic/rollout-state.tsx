'use client';

import Link from 'next/link';
import { createContext, memo } from 'react';
import { phaseTone } from '@/components/rollouts/rollout-phase';
import { rolloutHref } from '@/components/rollouts/rollout-links';
import { ACTIVE_PHASES, type RolloutSummary } from '@/lib/mesh/rollout-model';
import type { VirtualServiceView } from '@/lib/mesh/traffic-split';
import styles from './rollout.module.css';

/** Opens the page's "Start rollout" dialog for a route (by its id, see routeId): the drawer's button asks the page. */
export const StartRolloutContext = createContext<(id: string) => void>(() => {});

/** The rollout of a VirtualService when it moves this route (active or ended), else undefined. */
export const routeRollout = (vs: Pick<VirtualServiceView, 'rollout'>, routeIndex: number) => (vs.rollout?.route === routeIndex ? vs.rollout : undefined);

/** Whether the VirtualService's rollout still moves weights (a start, or a manual change, meets it). */
export const rolloutActive = (rollout: RolloutSummary | undefined): rollout is RolloutSummary => Boolean(rollout && ACTIVE_PHASES.includes(rollout.phase));

/**
 * A route's rollout in a line: a link "Rollout: Progressing, step 2 of 5 (10 %)" to its page,
 * coloured by phase (the words say it too), and why it is paused when it is.
 */
export const RolloutStateLink = memo(function RolloutStateLink({ rollout }: { rollout: RolloutSummary }) {
  const why = rollout.phase === 'Paused' ? rollout.pausedReason : rollout.phase === 'RolledBack' || rollout.phase === 'Aborted' ? rollout.endReason : undefined;
  return (
    <span className={`${styles.state} ${styles[phaseTone(rollout.phase)]}`} title={why}>
      <Link href={rolloutHref(rollout)} className={styles.stateLink} prefetch={false}>
        Rollout: {rollout.headline}
      </Link>
      {why && <span className={styles.why}>: {why}</span>}
    </span>
  );
});

/** An annotation Meshdeck could not read, said where the rollout would show. */
export function RolloutProblem({ problem }: { problem: string }) {
  return (
    <span className={`${styles.state} ${styles.bad}`} title={problem}>
      Rollout unreadable: {problem}
    </span>
  );
}
