'use client';

import { useHydrated } from '@/lib/use-hydrated';

const LOCAL = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
// For table cells: month, day and time, no year.
const COMPACT = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** An ISO time in UTC, the same on the server and in every browser: "2026-11-26 03:10:05 UTC". */
export const utcText = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/**
 * A point in time: in UTC until the page has hydrated (so server and browser render the same
 * text), then in the browser's locale and time zone. The UTC form stays in the tooltip.
 */
export function LocalTime({ iso, compact = false }: { iso: string; compact?: boolean }) {
  const hydrated = useHydrated();
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return <>{iso}</>;
  const utc = utcText(date.toISOString());
  return (
    <time dateTime={iso} title={utc}>
      {hydrated ? (compact ? COMPACT : LOCAL).format(date) : compact ? utc.slice(5) : utc}
    </time>
  );
}
