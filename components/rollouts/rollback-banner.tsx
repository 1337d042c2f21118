'use client';

import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { usePathname } from 'next/navigation';
import { rolloutsQuery } from '@/lib/queries/rollouts';
import { useHydrated } from '@/lib/use-hydrated';

// What the banner shows (its lines, the controller's notice, Acknowledge with its reason dialog
// and write flow) loads only when there is something to announce: the banner is on every page
// and must not weigh on every first load (bench:ui).
const RolloutAnnouncements = dynamic(() => import('./rollout-announcements').then((m) => m.RolloutAnnouncements), { ssr: false });

/**
 * Every rolled-back rollout nobody has acknowledged yet, on every page (like an emergency).
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
  const active = onRolloutPages ? 0 : data.items.filter((r) => r.phase === 'Progressing' || r.phase === 'Paused').length;
  if (rolledBack.length === 0 && (active === 0 || data.controller.armed)) return null;
  return <RolloutAnnouncements rolledBack={rolledBack} active={active} controller={data.controller} />;
}
