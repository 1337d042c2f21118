'use client';

import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { LocalTime } from '@/components/shell/local-time';
import { destinationLabel, type RolloutSummary } from '@/lib/mesh/rollout-model';
import { rolloutsQuery } from '@/lib/queries/rollouts';
import { useHydrated } from '@/lib/use-hydrated';
import { ControllerArming } from './controller-arming';
import { rolloutHref } from './rollout-links';
import styles from './rollouts.module.css';

// Acknowledge (its reason dialog, the rollout's texts and the write's edit flow) loads only when a
// rollback is announced: the banner is on every page and must not weigh on every first load (bench:ui).
const RolloutActionButton = dynamic(() => import('./rollout-action').then((m) => m.RolloutActionButton), { ssr: false });

/**
 * Every rolled-back rollout nobody has acknowledged yet, on every page (like an emergency):
 * which VirtualService, why and when, a link to its page and, for operators, Acknowledge.
 * While rollouts are under way and no replica's controller is armed, that too.
 */
export function RollbackBanner() {
  const { data } = useQuery(rolloutsQuery(''));
  // The server renders no banner; until hydrated neither does the browser (its cache may already hold the list).
  const hydrated = useHydrated();
  // The Rollouts pages say it themselves, where it belongs.
  const onRolloutPages = usePathname().startsWith('/rollouts');
  if (!data || !hydrated) return null;
  const rolledBack = data.items.filter((r) => r.phase === 'RolledBack' && !r.acknowledged);
  const active = data.items.filter((r) => r.phase === 'Progressing' || r.phase === 'Paused').length;
  return (
    <>
      {rolledBack.length > 0 && (
        <section className={styles.banner} aria-label="Rolled back rollouts">
          {rolledBack.map((r) => (
            <RollbackLine key={`${r.namespace}/${r.name}`} rollout={r} />
          ))}
        </section>
      )}
      {active > 0 && !onRolloutPages && <ControllerArming controller={data.controller} active={active} compact />}
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
