'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { LocalTime } from '@/components/shell/local-time';
import { DataTable, type DataColumn } from '@/components/ui/data-table';
import { QueryState } from '@/components/ui/query-state';
import { destinationLabel, type RolloutSummary } from '@/lib/mesh/rollout-model';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { useRollouts, type RolloutList } from '@/lib/queries/rollouts';
import { useHydrated } from '@/lib/use-hydrated';
import { ControllerArming } from './controller-arming';
import { rolloutHref } from './rollout-links';
import { PHASE_TEXT, phaseTone } from './rollout-phase';
import { checkText } from './rollout-text';
import styles from './rollouts.module.css';

const LOADING = { data: undefined, isPending: true, isError: false, error: null } as const;
const rowId = (r: RolloutSummary) => `${r.namespace}/${r.name}`;

/** The phase as a badge in its tone, e.g. "Rolled back" in red. */
export function PhaseBadge({ phase }: { phase: RolloutSummary['phase'] }) {
  return <span className={`${styles.phase} ${styles[phaseTone(phase)]}`}>{PHASE_TEXT[phase]}</span>;
}

const COLUMNS: DataColumn<RolloutSummary>[] = [
  {
    id: 'vs',
    header: 'VirtualService',
    value: rowId,
    width: 'minmax(8rem, 1.3fr)',
    cell: (r) => (
      <span className={styles.clip}>
        <Link href={rolloutHref(r)}>{r.name}</Link> <span className="muted">{r.namespace}</span>
      </span>
    ),
  },
  {
    id: 'route',
    header: 'Route',
    value: (r) => r.routeName ?? `#${r.route}`,
    width: 'minmax(6.5rem, 0.7fr)',
    hideBelow: 1000,
    cell: (r) => <span className={styles.clip}>{r.routeName ?? `#${r.route}`}</span>,
  },
  {
    id: 'destinations',
    header: 'Candidate vs stable',
    value: (r) => `${destinationLabel(r.candidate)} ${destinationLabel(r.stable)}`,
    width: 'minmax(9.5rem, 1fr)',
    hideBelow: 800,
    cell: (r) => (
      <span className={styles.clip}>
        {destinationLabel(r.candidate)} <span className="muted">vs</span> {destinationLabel(r.stable)}
      </span>
    ),
  },
  { id: 'phase', header: 'Phase', value: (r) => PHASE_TEXT[r.phase], facet: true, width: 'minmax(6.5rem, 0.6fr)', cell: (r) => <PhaseBadge phase={r.phase} /> },
  {
    id: 'step',
    header: 'Step',
    value: (r) => r.step,
    width: 'minmax(6.5rem, 0.6fr)',
    cell: (r) => (
      <span className={styles.clip}>
        {r.phase === 'Promoted' ? 'done' : `${r.step} of ${r.stepCount}`} · <strong>{r.weight} %</strong>
      </span>
    ),
  },
  {
    id: 'check',
    header: 'Last check',
    value: (r) => r.lastCheck?.verdict ?? '',
    width: 'minmax(10rem, 2fr)',
    hideBelow: 700,
    cell: (r) =>
      r.lastCheck ? (
        <span className={`${styles.clip} ${r.lastCheck.verdict === 'fail' ? 'tone-bad' : ''}`} title={checkText(r.lastCheck)}>
          {checkText(r.lastCheck)}
        </span>
      ) : (
        <span className="muted">none yet</span>
      ),
  },
  {
    id: 'started',
    header: 'Started',
    value: (r) => r.startedAt,
    width: 'minmax(10rem, 1fr)',
    hideBelow: 1100,
    cell: (r) => (
      <span className={styles.clip}>
        <LocalTime iso={r.startedAt} compact /> <span className="muted">by {r.startedBy}</span>
      </span>
    ),
  },
];

/** Every rollout recorded on the VirtualServices of the selected namespace(s), newest first, with the controller's arming. */
export function RolloutsPage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const hydrated = useHydrated();
  const list = useRollouts(namespace);
  return (
    <>
      <h1>Rollouts</h1>
      <p className="muted">
        Canary rollouts on weighted routes: each step moves traffic to the candidate and must pass its gates before the next; failing gates roll back to the
        stable destination. Start one from a route on the Traffic page.
      </p>
      <QueryState query={hydrated ? list : LOADING} label="rollouts">
        {(data) => <RolloutsTable data={data} />}
      </QueryState>
    </>
  );
}

function RolloutsTable({ data }: { data: RolloutList }) {
  const active = data.items.filter((r) => r.phase === 'Progressing' || r.phase === 'Paused').length;
  return (
    <>
      <ControllerArming controller={data.controller} active={active} showArmed />
      {data.problems.length > 0 && (
        <section className="notice-inline warn" aria-label="Unreadable rollouts">
          <strong>Rollout annotations Meshdeck could not read:</strong>
          <ul>
            {data.problems.map((p) => (
              <li key={`${p.namespace}/${p.name}`}>
                VirtualService {p.namespace}/{p.name}: {p.problem}
              </li>
            ))}
          </ul>
        </section>
      )}
      <DataTable<RolloutSummary>
        label="Rollouts"
        rows={data.items}
        columns={COLUMNS}
        getRowId={rowId}
        urlKey="rollouts"
        rowHeight={40}
        empty={
          data.items.length === 0 ? 'No rollouts yet: start one with "Start rollout" on a route of the Traffic page.' : 'No rollout matches these filters.'
        }
      />
    </>
  );
}
