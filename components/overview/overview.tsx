'use client';

import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { QueryState } from '@/components/ui/query-state';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { clusterQuery, namespacesQuery } from '@/lib/queries/shell';

export function Overview() {
  const selected = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const cluster = useQuery(clusterQuery());
  const connected = cluster.data?.state === 'connected';
  const namespaces = useQuery({ ...namespacesQuery(), enabled: connected });

  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="connection-title" className="panel">
        <h2 id="connection-title">Connection</h2>
        <QueryState query={cluster} label="the cluster status">
          {(status) => (
            <dl className="facts">
              <dt>State</dt>
              <dd>{status.state === 'connected' ? 'Connected' : status.state === 'unreachable' ? 'Unreachable' : 'Not configured'}</dd>
              {status.state !== 'unconfigured' && (
                <>
                  <dt>Context</dt>
                  <dd>{status.context}</dd>
                  <dt>API server</dt>
                  <dd>
                    <code>{status.server}</code>
                  </dd>
                </>
              )}
              {status.state === 'connected' && (
                <>
                  <dt>Kubernetes version</dt>
                  <dd>{status.version}</dd>
                </>
              )}
              {status.state !== 'connected' && (
                <>
                  <dt>Reason</dt>
                  <dd>{status.reason}</dd>
                </>
              )}
            </dl>
          )}
        </QueryState>
      </section>
      {connected && (
        <section aria-labelledby="namespaces-title" className="panel">
          <h2 id="namespaces-title">Namespaces</h2>
          <QueryState
            query={namespaces}
            label="namespaces"
            isEmpty={(items) => items.filter((ns) => !selected || ns.name === selected).length === 0}
            empty={selected ? `Namespace ${selected} does not exist in this cluster.` : 'The cluster has no namespaces.'}
          >
            {(items) => (
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Phase</th>
                    <th scope="col">Sidecar injection</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {items
                    .filter((ns) => !selected || ns.name === selected)
                    .map((ns) => (
                      <tr key={ns.name}>
                        <th scope="row">{ns.name}</th>
                        <td>{ns.phase}</td>
                        <td>{ns.sidecarInjection ? 'Enabled' : 'Off'}</td>
                        <td>{ns.createdAt ? new Date(ns.createdAt).toLocaleString() : '–'}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            )}
          </QueryState>
        </section>
      )}
    </>
  );
}
