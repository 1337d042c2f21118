'use client';

import Link from 'next/link';
import type { Level } from '@/lib/analysis/types';
import { objectSummaryKey, type FindingsSummary } from '@/lib/mesh/validation';
import { findingsHref } from '@/lib/navigation';
import styles from './validation.module.css';

const MARK: Record<Level, string> = { Error: '✕', Warning: '!', Info: 'i' };
const TOOLTIP_LINES = 5;

/** A level as a small coloured tag (the Validation table and the row badges). */
export function LevelTag({ level }: { level: Level }) {
  return (
    <span className={`${styles.level} ${styles[level]}`}>
      <span aria-hidden="true">{MARK[level]} </span>
      {level}
    </span>
  );
}

/**
 * A table row's findings at a glance: the worst level and how many, linking to the Validation page
 * filtered to the object; nothing when the analysis found nothing. `summaries` comes from
 * useFindingsByObject (one query for the whole page, not one per row).
 */
export function FindingsBadge({
  summaries,
  kind,
  namespace,
  name,
}: {
  summaries: ReadonlyMap<string, FindingsSummary> | undefined;
  kind: string;
  namespace: string;
  name: string;
}) {
  const summary = summaries?.get(objectSummaryKey(kind, namespace, name));
  if (!summary) return null;
  const { level, count, messages } = summary;
  const more = messages.length > TOOLTIP_LINES ? `\n… and ${messages.length - TOOLTIP_LINES} more` : '';
  return (
    <Link
      href={findingsHref({ kind, namespace, name })}
      className={`${styles.badge} ${styles[level]}`}
      title={messages.slice(0, TOOLTIP_LINES).join('\n') + more}
      aria-label={`${count} finding${count === 1 ? '' : 's'} on ${kind} ${name}, worst ${level}: show in Validation`}
      // The row's own click (open its drawer) is not this link's.
      onClick={(event) => event.stopPropagation()}
    >
      <span aria-hidden="true">{MARK[level]}</span> {count}
    </Link>
  );
}
