'use client';

// The live numbers beside a route's destinations: requests/s, 5xx share and P99 over the last
// 5 minutes, a 30-minute sparkline, and for every destination but the stable one a marker
// saying whether it does better or worse than stable. The page fetches the numbers once
// (two Prometheus queries) and hands them down in a context; each destination looks itself up.
import { Sparkline } from '@/components/ui/sparkline';
import { createContext, memo, useContext, useMemo } from 'react';
import { formatMs, formatNumber, formatPercent } from '@/lib/format';
import {
  COMPARE_RULE,
  compareWithStable,
  destinationLive,
  routeRoles,
  type Comparison,
  type DestinationLive,
  type LiveIndex,
  type LiveNumbers,
} from '@/lib/metrics/traffic-live';
import styles from './traffic.module.css';

export interface TrafficLiveState {
  index: LiveIndex | null;
  /** Why there are no numbers (Prometheus not configured, unreachable, refused), when there are none. */
  problem: string | null;
  window: string;
}

export const TrafficLiveContext = createContext<TrafficLiveState>({ index: null, problem: null, window: '5m' });

/** The numbers of each destination of a route, and how each compares with the stable one. */
export function useRouteLive(
  vsNamespace: string,
  destinations: { host: string; subset?: string }[],
  canaryVersions: string,
): { live: DestinationLive[]; comparisons: (Comparison | undefined)[]; stable: number; canary: number } | null {
  const { index } = useContext(TrafficLiveContext);
  return useMemo(() => {
    if (!index) return null;
    const live = destinations.map((d) => destinationLive(index, vsNamespace, d));
    const roles = routeRoles(
      destinations.map((d, i) => ({ subset: d.subset, version: live[i]!.version })),
      canaryVersions,
    );
    const stable = live[roles.stable]?.numbers ?? null;
    const comparisons = live.map((l, i) => (destinations.length < 2 || i === roles.stable ? undefined : compareWithStable(l.numbers, stable)));
    return { live, comparisons, ...roles };
  }, [index, vsNamespace, destinations, canaryVersions]);
}

const MARK: Record<Comparison, string> = { worse: '▲ worse', better: '▼ better', same: '= same', unknown: '? no data' };
const COMPARE_HELP = `Compared with the stable destination over the last 5 minutes: worse when its 5xx share is more than ${
  COMPARE_RULE.errorPoints * 100
} point higher or its P99 more than ${COMPARE_RULE.p99Ratio * 100} % (and ${COMPARE_RULE.p99Ms} ms) higher; better when lower by as much.`;

/** One destination's numbers, named for assistive technology and tests ("Live numbers of reviews v2 in reviews route 2"). */
export const DestinationNumbers = memo(function DestinationNumbers({
  label,
  live,
  comparison,
  stableName,
  short,
}: {
  label: string;
  live: DestinationLive | undefined;
  comparison?: Comparison;
  stableName?: string;
  /** In a table row: the marker without what it compares with (still in its accessible text). */
  short?: boolean;
}) {
  const { problem, window } = useContext(TrafficLiveContext);
  let body;
  if (problem) body = <span className={styles.muted}>no numbers</span>;
  else if (!live) body = <span className={styles.muted}>loading…</span>;
  else if (!live.numbers) body = <span className={styles.muted}>no requests in {window}</span>;
  else body = <Numbers numbers={live.numbers} />;
  return (
    <span role="group" aria-label={label} className={styles.live} title={problem ? `Live numbers unavailable: ${problem}` : undefined}>
      {comparison && !problem && live?.numbers && (
        <span className={styles[comparison]} title={COMPARE_HELP}>
          {MARK[comparison]}
          {/* Short in the row; the name of what it is compared with is still read out. */}
          {comparison !== 'unknown' && stableName && (
            <span className={short ? 'visually-hidden' : undefined}>{` ${comparison === 'same' ? 'as' : 'than'} ${stableName}`}</span>
          )}
        </span>
      )}
      {body}
    </span>
  );
});

function Numbers({ numbers }: { numbers: LiveNumbers }) {
  return (
    <>
      <span className={styles.rps}>{formatNumber(numbers.rps)} req/s</span>
      <span className={numbers.errorRatio && numbers.errorRatio >= 0.01 ? styles.bad : undefined}>{formatPercent(numbers.errorRatio)} 5xx</span>
      <span>P99 {formatMs(numbers.p99)}</span>
      <Sparkline points={numbers.spark} />
    </>
  );
}

/** In the editor: a destination's numbers and the share it has and will get when the change is applied. */
export function EditorDestinationLive({
  label,
  route,
  index,
  weight,
  now,
}: {
  label: string;
  route: ReturnType<typeof useRouteLive>;
  index: number;
  weight: number;
  /** Its weight in the cluster (undefined for a destination the change adds). */
  now: number | undefined;
}) {
  const stable = route ? route.live[route.stable] : undefined;
  return (
    <span className={styles.editorLive}>
      <span className={now === weight ? styles.share : styles.shareChanged}>
        {now === weight ? `${weight}% of this route` : `${now ?? 0}% now → ${weight}% after apply`}
      </span>
      <DestinationNumbers label={label} live={route?.live[index]} comparison={route?.comparisons[index]} stableName={stable?.version} />
    </span>
  );
}
