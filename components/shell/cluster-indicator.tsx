'use client';

import { useQuery } from '@tanstack/react-query';
import { clusterQuery } from '@/lib/queries/shell';
import { useHydrated } from '@/lib/use-hydrated';
import styles from './shell.module.css';

/** Shows which context the server is connected to, and whether the API answers. */
export function ClusterIndicator() {
  const { data, isPending, isError } = useQuery(clusterQuery());
  const hydrated = useHydrated();
  let label: string;
  let tone: 'ok' | 'warn' | 'bad' | 'muted';
  let title: string | undefined;
  if (isPending || !hydrated) {
    label = 'Checking cluster…';
    tone = 'muted';
  } else if (isError || !data) {
    label = 'Meshdeck server unreachable';
    tone = 'bad';
  } else if (data.state === 'connected') {
    label = data.context;
    tone = 'ok';
    title = `${data.server} · Kubernetes ${data.version}`;
  } else if (data.state === 'unreachable') {
    label = `${data.context} (unreachable)`;
    tone = 'bad';
    title = data.reason;
  } else {
    label = 'No cluster configured';
    tone = 'warn';
    title = data.reason;
  }
  return (
    <div className={`cluster-indicator tone-${tone}`} role="status" aria-label={`Cluster connection: ${label}`} title={title}>
      <span className="dot" aria-hidden="true" />
      <span className={styles.clusterLabel}>{label}</span>
    </div>
  );
}
