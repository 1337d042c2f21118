'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { BreakerStatus } from '@/lib/metrics/resilience';
import { breakerQuery } from '@/lib/queries/resilience';
import { useMetricsRefresh } from '@/lib/queries/metrics-refresh';
import styles from './resilience.module.css';

/** The live breaker state of the page's services, found by namespace and service name. */
export interface Breakers {
  of: (namespace: string, service: string) => BreakerStatus | undefined;
  /** Why there are no numbers at all (Prometheus down or absent), or undefined. */
  error?: string;
  loading: boolean;
}

/** A host as a DestinationRule or a route writes it ("svc" or "svc.ns.svc.cluster.local") as namespace and service. */
export function serviceOf(host: string, namespace: string): { namespace: string; service: string } {
  const [service = host, ns] = host.split('.');
  return { namespace: ns ?? namespace, service };
}

/** The breaker state from the live endpoint (one query for the page), indexed for the rows. */
export function useBreakers(namespace: string): Breakers {
  const live = useQuery(breakerQuery(namespace, useMetricsRefresh()));
  const index = useMemo(() => new Map((live.data?.status ?? []).map((s) => [`${s.namespace}/${s.service}`, s])), [live.data]);
  return useMemo(
    () => ({ of: (ns: string, service: string) => index.get(`${ns}/${service}`), error: live.error?.message, loading: live.isPending }),
    [index, live.error, live.isPending],
  );
}

/** The word the Live column sorts and filters by. */
export function breakerWord(breakers: Breakers, status: BreakerStatus | undefined): string {
  if (status) return status.tripped ? 'tripped' : 'closed';
  return breakers.error ? 'unknown' : breakers.loading ? 'loading' : 'no traffic';
}

const rate = (v: number) => (v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2));

/** A row's live cell: tripped or closed, and the numbers that say why (ejected hosts, overflows, no healthy upstream). */
export function BreakerState({ breakers, status }: { breakers: Breakers; status: BreakerStatus | undefined }) {
  const word = breakerWord(breakers, status);
  if (!status)
    return (
      <span className="muted" title={breakers.error ? `No live numbers: ${breakers.error}` : 'Prometheus has no 503/504 or breaker stats for this service'}>
        {word}
      </span>
    );
  const numbers = [
    status.ejectedHosts ? `${status.ejectedHosts} ejected` : '',
    status.overflowsPerSecond ? `UO ${rate(status.overflowsPerSecond)}/s` : '',
    status.noHealthyUpstreamPerSecond ? `UH ${rate(status.noHealthyUpstreamPerSecond)}/s` : '',
  ].filter(Boolean);
  return (
    <span>
      <span className={status.tripped ? styles.tripped : styles.closed}>{word}</span>
      {numbers.length > 0 && <span className={styles.liveNumbers}>{numbers.join(' · ')}</span>}
    </span>
  );
}

type NumberField =
  | 'ejectedHosts'
  | 'ejectionsTotal'
  | 'overflowsPerSecond'
  | 'timeoutsPerSecond'
  | 'retriesPerSecond'
  | 'noHealthyUpstreamPerSecond'
  | 'retriesExhaustedPerSecond';

/** The numbers behind a breaker's state: a short header for the live table, a label for the drawer, and when the table drops the column. */
export const BREAKER_NUMBERS: { key: NumberField; header: string; label: string; perSecond: boolean; width?: string; hideBelow?: number }[] = [
  { key: 'ejectedHosts', header: 'Ejected', label: 'Ejected hosts', perSecond: false, width: '6rem' },
  { key: 'ejectionsTotal', header: 'Ejections', label: 'Ejections (total)', perSecond: false, width: '7rem', hideBelow: 500 },
  { key: 'overflowsPerSecond', header: 'Overflow UO', label: 'Overflows (UO)', perSecond: true, hideBelow: 700 },
  { key: 'timeoutsPerSecond', header: 'Timeout UT', label: 'Timeouts (UT)', perSecond: true, hideBelow: 800 },
  { key: 'retriesPerSecond', header: 'Retries', label: 'Retries', perSecond: true, hideBelow: 900 },
  { key: 'noHealthyUpstreamPerSecond', header: 'No upstream UH', label: 'No healthy upstream (UH)', perSecond: true, hideBelow: 1000 },
  { key: 'retriesExhaustedPerSecond', header: 'Exhausted URX', label: 'Retries exhausted (URX)', perSecond: true, hideBelow: 1100 },
];

/** One of those numbers as shown; null means the proxies do not export it (unknown, not zero). */
export const breakerNumber = (status: BreakerStatus, n: (typeof BREAKER_NUMBERS)[number]) => {
  const value = status[n.key];
  return value === null ? 'n/a' : n.perSecond ? `${value.toFixed(2)}/s` : String(value);
};
