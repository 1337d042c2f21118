'use client';

import { useQuery } from '@tanstack/react-query';
import { QueryState } from '@/components/ui/query-state';
import { securityLiveQuery, type SecurityView } from '@/lib/queries/security';
import { useMetricsRefresh } from '@/lib/queries/metrics-refresh';

/** Mesh-wide, per-namespace and per-workload mTLS modes, the TLS conflicts, and the live share of plaintext. */
export function MutualTls({ data, namespace }: { data: SecurityView; namespace: string }) {
  const live = useQuery(securityLiveQuery(namespace, useMetricsRefresh()));
  return (
    <section className="panel" aria-labelledby="mtls-title">
      <h2 id="mtls-title">Mutual TLS</h2>
      <p>
        Mesh-wide: <strong>{data.mesh.mode}</strong> <span className="muted">({data.mesh.source})</span>
      </p>
      <table className="table" aria-label="Effective mTLS per namespace">
        <thead>
          <tr>
            <th scope="col">Namespace</th>
            <th scope="col">Mode</th>
            <th scope="col">Decided by</th>
          </tr>
        </thead>
        <tbody>
          {data.namespaces.map((n) => (
            <tr key={n.namespace}>
              <th scope="row">{n.namespace}</th>
              <td>{n.mode}</td>
              <td className="muted">{n.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="table" aria-label="Effective mTLS per workload">
        <thead>
          <tr>
            <th scope="col">Workload</th>
            <th scope="col">Mode</th>
            <th scope="col">Ports</th>
            <th scope="col">Decided by</th>
          </tr>
        </thead>
        <tbody>
          {data.workloads.map((w) => (
            <tr key={`${w.workload.namespace}/${w.workload.name}`}>
              <th scope="row">
                {w.workload.namespace}/{w.workload.name}
              </th>
              <td>{w.mode.mode}</td>
              <td>{w.ports.map((p) => `${p.port}: ${p.mode.mode}`).join(', ') || '–'}</td>
              <td className="muted">{w.mode.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.conflicts.map((c) => (
        <p key={c.destinationRule} role="note" className="notice-inline warn">
          {c.message}
        </p>
      ))}
      <h3>Live share of mTLS and plaintext (last 5 minutes)</h3>
      <QueryState
        query={live}
        label="live traffic from Prometheus"
        isEmpty={(d) => d.services.length === 0}
        empty={`No requests recorded in the last 5 minutes${namespace ? ` in ${namespace}` : ''}.`}
      >
        {(d) => (
          <table className="table" aria-label="Live mTLS share">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">mTLS</th>
                <th scope="col">Plaintext</th>
              </tr>
            </thead>
            <tbody>
              {d.services.map((s) => {
                const total = s.mutualTls + s.plaintext;
                return (
                  <tr key={`${s.namespace}/${s.service}`}>
                    <th scope="row">
                      {s.service} <span className="muted">{s.namespace}</span>
                    </th>
                    <td>{total ? `${((100 * s.mutualTls) / total).toFixed(1)}%` : '–'}</td>
                    <td>{total ? `${((100 * s.plaintext) / total).toFixed(1)}% (${s.plaintext.toFixed(2)}/s)` : '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}
