'use client';

import { useQuery } from '@tanstack/react-query';
import { TimeSeriesChart } from '@/components/kpis/charts';
import { QueryState } from '@/components/ui/query-state';
import type { EnvoyStatsNotice } from '@/lib/metrics/resilience';
import { breakerQuery } from '@/lib/queries/resilience';
import { useMetricsRefresh } from '@/lib/queries/metrics-refresh';

const perSecond = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)}/s`);
const UNKNOWN = 'Not exported by the proxies: see the note above';

/** The Resilience page's live panel: breaker state per service of the selected namespace ("" for all) from Prometheus. */
export function BreakerLivePanel({ namespace }: { namespace: string }) {
  const live = useQuery(breakerQuery(namespace, useMetricsRefresh()));
  return (
    <section className="panel" aria-labelledby="live-title">
      <h2 id="live-title">Circuit breakers now</h2>
      <QueryState query={live} label="the breaker state from Prometheus">
        {(d) => (
          <>
            {d.envoy.notice && <EnvoyStatsMissing notice={d.envoy.notice} />}
            {d.status.length === 0 ? (
              <p className="state state-empty">
                {namespace
                  ? `No live data for ${namespace}: Prometheus has no 503/504 responses or Envoy breaker stats for its services (no traffic, or no breaker activity).`
                  : 'No breaker activity recorded in any namespace.'}
              </p>
            ) : (
              <table className="table" aria-label="Circuit breaker state">
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    {!namespace && <th scope="col">Namespace</th>}
                    <th scope="col">State</th>
                    <th scope="col">Ejected hosts</th>
                    <th scope="col">Ejections (total)</th>
                    <th scope="col">Overflows (UO)</th>
                    <th scope="col">Timeouts (UT)</th>
                    <th scope="col">Retries</th>
                    <th scope="col">No healthy upstream (UH)</th>
                    <th scope="col">Retries exhausted (URX)</th>
                    <th scope="col">503/504 by flag</th>
                  </tr>
                </thead>
                <tbody>
                  {d.status.map((s) => (
                    <tr key={`${s.namespace}/${s.service}`}>
                      <th scope="row">{s.service}</th>
                      {!namespace && <td>{s.namespace}</td>}
                      <td>{s.tripped ? <span className="badge badge-warn">tripped</span> : <span className="badge">closed</span>}</td>
                      <td title={s.ejectedHosts === null ? UNKNOWN : undefined}>{s.ejectedHosts ?? 'n/a'}</td>
                      <td title={s.ejectionsTotal === null ? UNKNOWN : undefined}>{s.ejectionsTotal ?? 'n/a'}</td>
                      <td>{perSecond(s.overflowsPerSecond)}</td>
                      <td>{perSecond(s.timeoutsPerSecond)}</td>
                      <td title={s.retriesPerSecond === null ? UNKNOWN : undefined}>{perSecond(s.retriesPerSecond)}</td>
                      <td>{perSecond(s.noHealthyUpstreamPerSecond)}</td>
                      <td>{perSecond(s.retriesExhaustedPerSecond)}</td>
                      <td>
                        {Object.entries(s.failuresByFlag)
                          .map(([f, v]) => `${f} ${v.toFixed(2)}/s`)
                          .join(', ') || '–'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {d.history.length > 0 && (
              <TimeSeriesChart
                series={d.history}
                name={(s) => `${namespace ? '' : `${s.metric.destination_service_namespace}/`}${s.metric.destination_service_name} ${s.metric.response_flags}`}
                unit="rps"
                label="503 and 504 responses per second by service and response flag (last 30 minutes)"
              />
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}

/** Which Envoy stats are missing, and the two places to turn them on. */
function EnvoyStatsMissing({ notice }: { notice: EnvoyStatsNotice }) {
  return (
    <div className="notice-inline warn" role="note" aria-label="Envoy stats missing">
      <p>
        <strong>Envoy stats missing.</strong> {notice.summary}
      </p>
      <p>{notice.fallback}</p>
      <details>
        <summary>Turn them on (the proxies pick it up when their pods restart)</summary>
        <p>
          Mesh-wide, in the Istio installation (IstioOperator; or the same <code>defaultConfig</code> under the <code>mesh</code> key of ConfigMap{' '}
          <code>istio</code> in istio-system):
        </p>
        <pre className="diff">{notice.meshWide}</pre>
        <p>Or per workload, on the pod template of the callers (and of the ingress gateway, for traffic entering there):</p>
        <pre className="diff">{notice.podAnnotation}</pre>
      </details>
    </div>
  );
}
