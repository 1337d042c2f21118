'use client';

import Link from 'next/link';
import { LocalTime } from '@/components/shell/local-time';
import type { LeaderArming } from '@/lib/k8s/lease-election';
import { destinationLabel, type RolloutSummary } from '@/lib/mesh/rollout-model';
import { ControllerArming } from './controller-arming';
import { RolloutActionButton } from './rollout-action';
import { rolloutHref } from './rollout-links';
import styles from './rollouts.module.css';

/**
 * What the shell's rollback banner announces: each rolled-back rollout nobody has acknowledged
 * (which VirtualService, why and when, a link to its page and, for operators, Acknowledge) and,
 * while `active` rollouts are under way, a controller that is not armed.
 */
export function RolloutAnnouncements({ rolledBack, active, controller }: { rolledBack: RolloutSummary[]; active: number; controller: LeaderArming }) {
  return (
    <>
      {rolledBack.length > 0 && (
        <section className={styles.banner} aria-label="Rolled back rollouts">
          {rolledBack.map((r) => (
            <RollbackLine key={`${r.namespace}/${r.name}`} rollout={r} />
          ))}
        </section>
      )}
      {active > 0 && <ControllerArming controller={controller} active={active} compact />}
    </>
  );
}

function RollbackLine({ rollout: r }: { rollout: RolloutSummary }) {
  return (
    <div role="alert" className={styles.bannerLine}>
      <p>
        <strong>
          Rollout rolled back: VirtualService {r.namespace}/{r.name}
        </strong>{' '}
        sends all traffic to {destinationLabel(r.stable)} again
        {r.endedAt && (
          <>
            {' '}
            since <LocalTime iso={r.endedAt} compact />
          </>
        )}
        {r.endReason && <>: {r.endReason}</>}. <Link href={rolloutHref(r)}>See rollout {r.name}</Link>
      </p>
      <RolloutActionButton item={r} action="acknowledge" quiet hideDenied />
    </div>
  );
}
