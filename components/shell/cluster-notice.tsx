'use client';

import { useQuery } from '@tanstack/react-query';
import { clusterQuery } from '@/lib/queries/shell';
import { useHydrated } from '@/lib/use-hydrated';

/** A page-wide explanation when there is no cluster to talk to, with what to do about it. */
export function ClusterNotice() {
  const { data } = useQuery(clusterQuery());
  const hydrated = useHydrated();
  if (!hydrated || !data || data.state === 'connected') return null;
  if (data.state === 'unconfigured') {
    return (
      <section className="notice notice-warn" aria-labelledby="cluster-notice-title">
        <h2 id="cluster-notice-title">No cluster configured</h2>
        <p>{data.reason}.</p>
        <p>
          Point <code>KUBECONFIG</code> at a kubeconfig (and optionally <code>MESHDECK_KUBE_CONTEXT</code> at a context), or start the local sandbox mesh with{' '}
          <code>npm run demo</code>.
        </p>
      </section>
    );
  }
  return (
    <section className="notice notice-bad" aria-labelledby="cluster-notice-title">
      <h2 id="cluster-notice-title">Cluster unreachable</h2>
      <p>
        Context <strong>{data.context}</strong> at <code>{data.server}</code>: {data.reason}.
      </p>
      <p>Pages that read the cluster are unavailable until it answers; this check repeats every 15 seconds.</p>
    </section>
  );
}
