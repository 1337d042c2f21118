'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { isCanaryVersion } from '@/lib/mesh/canary';
import type { ServiceRow } from '@/lib/metrics/kpis';
import type { Series } from '@/lib/metrics/prometheus';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { kpiQuery, serviceChartsQuery, type KpiParams } from '@/lib/queries/kpis';
import { useMetricsRefresh } from '@/lib/queries/metrics-refresh';
import { formatMs, formatNumber, formatPercent, formatRate, formatValue } from '@/lib/format';
import { TimeSeriesChart } from './lazy-charts';
import styles from './charts.module.css';
import { PanelBody } from './panel';
import { serviceKey, ServicesTable } from './services-table';

const RANGES = ['15m', '1h', '6h', '24h', 'custom'];

function useKpiParams(): [KpiParams & { service: string; serviceNamespace: string }, (changes: Record<string, string>) => void] {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const params = {
    namespace: search.get(NAMESPACE_PARAM) ?? '',
    range: search.get('range') ?? '1h',
    from: search.get('from') ?? undefined,
    to: search.get('to') ?? undefined,
    refresh: useMetricsRefresh(),
    service: search.get('service') ?? '',
    serviceNamespace: search.get('serviceNamespace') ?? '',
  };
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(changes))
      if (v) next.set(k, v);
      else next.delete(k);
    router.replace(`${pathname}?${next}`);
  };
  return [params, update];
}

const toUnix = (local: string) => String(Math.floor(new Date(local).getTime() / 1000));
const toLocal = (unix?: string) => (unix ? new Date(Number(unix) * 1000).toISOString().slice(0, 16) : '');

export function KpisPage() {
  const [params, update] = useKpiParams();
  const page = useQuery(kpiQuery(params));
  const data = page.data;
  const panels = data ? [data.services, data.slo, data.canaries, data.business, data.sparklines, data.alerts] : [];
  const prometheusDown = panels.length > 0 && panels.every((p) => 'error' in p && p.error.status >= 500);
  const firstError = panels.find((p) => 'error' in p) as { error: { message: string } } | undefined;
  const openService = (r: ServiceRow) => update({ service: r.service, serviceNamespace: params.namespace ? '' : r.namespace });

  return (
    <>
      <h1>KPIs</h1>
      <form className="filters" aria-label="Time range" onSubmit={(e) => e.preventDefault()}>
        <label>
          Range
          <select
            value={params.range}
            onChange={(e) =>
              update({
                range: e.target.value,
                ...(e.target.value === 'custom'
                  ? { from: String(Math.floor(Date.now() / 1000) - 3600), to: String(Math.floor(Date.now() / 1000)) }
                  : { from: '', to: '' }),
              })
            }
          >
            {RANGES.map((r) => (
              <option key={r} value={r}>
                {r === 'custom' ? 'Custom' : `Last ${r}`}
              </option>
            ))}
          </select>
        </label>
        {params.range === 'custom' && (
          <>
            <label>
              From <input type="datetime-local" value={toLocal(params.from)} onChange={(e) => update({ from: toUnix(e.target.value) })} />
            </label>
            <label>
              To <input type="datetime-local" value={toLocal(params.to)} onChange={(e) => update({ to: toUnix(e.target.value) })} />
            </label>
          </>
        )}
      </form>
      {page.isError && (
        <div className="state state-error" role="alert">
          <strong>Could not load the KPIs.</strong> {page.error.message}
        </div>
      )}
      {prometheusDown && (
        <div className="notice-inline bad" role="alert">
          <strong>Prometheus is unavailable</strong>: {firstError?.error.message}. Metrics, SLOs and alerts cannot be shown; the rest of Meshdeck keeps working.
        </div>
      )}

      {data?.config.error && (
        <div className="notice-inline warn" role="alert">
          {data.config.error}. SLOs, business KPIs and canary thresholds are not shown; RED metrics and the version comparison are.
        </div>
      )}
      {data && data.config.problems.length > 0 && (
        <div className="notice-inline bad" role="alert">
          <strong>Invalid Meshdeck configuration, ignored:</strong>
          <ul>
            {data.config.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}

      <section className="panel" aria-labelledby="slo-title">
        <h2 id="slo-title">Service level objectives</h2>
        <PanelBody
          panel={data?.slo}
          pending={page.isPending}
          label="the SLOs"
          isEmpty={(p) => p.slos.length === 0 || p.slos.every((s) => s.value === null)}
          empty={data && 'data' in data.slo ? data.slo.data.notConfigured : undefined}
        >
          {({ slos }) => (
            <div className="cards">
              {slos.map((s) => (
                <div key={`${s.scope}/${s.name}`} className={`card ${s.met === false ? 'card-bad' : s.met ? 'card-ok' : ''}`}>
                  <h3>
                    {s.name} <span className="muted">{s.scope}</span>
                  </h3>
                  <p className="big">{formatValue(s.value, s.unit)}</p>
                  <p>
                    Objective {s.objective}: <strong>{s.met === null ? 'no data' : s.met ? 'met' : 'missed'}</strong>
                  </p>
                  {s.burn1h !== undefined && (
                    <p className="muted">
                      Budget burn {formatNumber(s.burn1h)}× (1 h), {formatNumber(s.burn6h)}× (6 h)
                    </p>
                  )}
                </div>
              ))}
            </div>
          )}
        </PanelBody>
      </section>

      <section className="panel" aria-labelledby="services-title">
        <h2 id="services-title">Services ({data?.window ?? '…'} rate window)</h2>
        <PanelBody panel={data?.services} pending={page.isPending} label="the services" isEmpty={(rows) => rows.length === 0}>
          {(rows) => (
            <ServicesTable
              rows={rows}
              sparklines={data && 'data' in data.sparklines ? data.sparklines.data : undefined}
              params={params}
              openId={params.service ? serviceKey({ namespace: params.namespace || params.serviceNamespace, service: params.service }) : undefined}
              onOpen={openService}
            />
          )}
        </PanelBody>
      </section>

      {params.service && (
        <ServiceView
          params={{ ...params, namespace: params.namespace || params.serviceNamespace }}
          service={params.service}
          onClose={() => update({ service: '', serviceNamespace: '' })}
        />
      )}

      <section className="panel" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Alerts</h2>
        <PanelBody
          panel={data?.alerts}
          pending={page.isPending}
          label="the alerts"
          isEmpty={(alerts) => alerts.length === 0}
          empty="No alert is firing or pending."
        >
          {(alerts) => (
            <ul className="alerts">
              {alerts.map((a, i) => (
                <li key={i} className={a.state === 'firing' ? 'notice-inline bad' : 'notice-inline warn'}>
                  <strong>{a.labels.alertname}</strong> {a.state} since {a.activeAt ? new Date(a.activeAt).toLocaleString() : '?'}:{' '}
                  {a.annotations.summary ?? ''}
                  <div className="muted">
                    {Object.entries(a.labels)
                      .filter(([k]) => k !== 'alertname')
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ')}
                  </div>
                  {a.canary && a.labels.destination_service_name && (
                    <Link href={`/traffic?namespace=${encodeURIComponent(a.labels.destination_service_namespace ?? '')}`}>
                      Open the traffic split of {a.labels.destination_service_name}
                    </Link>
                  )}
                </li>
              ))}
            </ul>
          )}
        </PanelBody>
      </section>

      <section className="panel" aria-labelledby="canary-title">
        <h2 id="canary-title">Canary against stable (last {data?.canaryWindow ?? '…'})</h2>
        <PanelBody
          panel={data?.canaries}
          pending={page.isPending}
          label="the version comparison"
          isEmpty={(c) => c.length === 0}
          empty="No service sends traffic to more than one version right now."
        >
          {(comparisons) =>
            comparisons.map((c) => (
              <div key={`${c.namespace}/${c.service}`} className="route" role="group" aria-label={`Versions of ${c.service}`}>
                <h3>{c.service}</h3>
                <div className={styles.scroll}>
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Version</th>
                        <th scope="col">Share of requests</th>
                        <th scope="col">Errors</th>
                        <th scope="col">P99</th>
                      </tr>
                    </thead>
                    <tbody>
                      {c.versions.map((v) => (
                        <tr key={v.version}>
                          <th scope="row">{v.version}</th>
                          <td>{formatPercent(v.share)}</td>
                          <td>{formatPercent(v.errorRatio)}</td>
                          <td>{formatMs(v.p99)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <p className={`notice-inline ${c.state === 'info' ? 'warn' : c.state}`}>{c.verdict}</p>
              </div>
            ))
          }
        </PanelBody>
      </section>

      <section className="panel" aria-labelledby="business-title">
        <h2 id="business-title">Business KPIs</h2>
        <PanelBody
          panel={data?.business}
          pending={page.isPending}
          label="the business KPIs"
          isEmpty={(b) =>
            Object.values(b.mesh).every((v) => v === null) && b.kpis.every((k) => k.value === null) && b.segments.every((s) => s.values.length === 0)
          }
        >
          {(b) => (
            <>
              <dl className="cards">
                {b.kpis.map((k) => (
                  <div key={k.name} className="card" title={k.description}>
                    <dt>{k.name}</dt>
                    <dd className="big">{formatValue(k.value, k.unit)}</dd>
                  </div>
                ))}
                <div
                  className="card"
                  title="Requests served by canary versions (the canary rule's versions regex), among the requests to the services being canaried"
                >
                  <dt>Canary share</dt>
                  <dd className="big">{formatPercent(b.mesh.canaryShare)}</dd>
                </div>
                <div className="card">
                  <dt>Circuit-breaker trips</dt>
                  <dd className="big">{formatRate(b.mesh.overflowsRps)} UO</dd>
                  <dd className="muted">
                    {b.mesh.ejectedHosts === null
                      ? 'ejections unknown: Envoy outlier stats not exported (see Resilience)'
                      : `${b.mesh.ejectedHosts} hosts ejected now`}
                  </dd>
                </div>
                {b.segments.map((seg) => (
                  <div key={seg.label} className="card">
                    <dt>Requests by {seg.title}</dt>
                    {seg.values.length === 0 ? (
                      <dd className="muted">no requests carry {seg.label}</dd>
                    ) : (
                      seg.values.map((v) => (
                        <dd key={v.value}>
                          {v.value}: {formatRate(v.rps)}
                        </dd>
                      ))
                    )}
                  </div>
                ))}
              </dl>
              {b.notConfigured && <p className="state state-empty">{b.notConfigured}</p>}
            </>
          )}
        </PanelBody>
      </section>
    </>
  );
}

function ServiceView({ params, service, onClose }: { params: KpiParams; service: string; onClose: () => void }) {
  const charts = useQuery(serviceChartsQuery(params, service));
  const c = charts.data;
  const empty = (s: { metric: Record<string, string> }[]) => s.length === 0;
  const version = ({ metric: { destination_version: name = 'unknown' } }: Series) =>
    isCanaryVersion(name, c?.canaryVersions) && !name.includes('canary') ? `${name} (canary)` : name;
  // One time axis and one crosshair for the service's charts: hovering one shows the same instant in all.
  const shared = { syncId: `service-${service}`, window: c ? ([c.start, c.end] as [number, number]) : undefined };
  return (
    <section className="panel" aria-labelledby="service-title">
      <div className="vs-header">
        <h2 id="service-title">{service}</h2>
        <button type="button" className="button button-quiet button-small" onClick={onClose}>
          Close {service}
        </button>
      </div>
      {charts.isError && (
        <div className="state state-error" role="alert">
          {charts.error.message}
        </div>
      )}
      <div className={styles.grid}>
        <PanelBody panel={c?.byVersion} pending={charts.isPending} label="requests by version" isEmpty={empty}>
          {(s) => <TimeSeriesChart {...shared} series={s} name={version} unit="rps" label={`Inbound requests per second by version (${c?.window} window)`} />}
        </PanelBody>
        <PanelBody panel={c?.errors} pending={charts.isPending} label="errors by version" isEmpty={empty}>
          {(s) => <TimeSeriesChart {...shared} series={s} name={version} unit="ratio" label="Inbound 5xx share by version" />}
        </PanelBody>
        <PanelBody panel={c?.latency} pending={charts.isPending} label="latency" isEmpty={empty}>
          {(s) => <TimeSeriesChart {...shared} series={s} name={(x) => x.metric.kpi ?? '?'} unit="ms" fromZero={false} label="Inbound latency P50, P95, P99" />}
        </PanelBody>
        <PanelBody panel={c?.byCode} pending={charts.isPending} label="requests by response code" isEmpty={empty}>
          {(s) => (
            <TimeSeriesChart
              {...shared}
              series={s}
              name={(x) => x.metric.response_code ?? '?'}
              unit="rps"
              label="Inbound requests per second by response code"
            />
          )}
        </PanelBody>
        <PanelBody panel={c?.outbound} pending={charts.isPending} label="outbound calls" isEmpty={empty}>
          {(s) => (
            <TimeSeriesChart
              {...shared}
              series={s}
              name={(x) =>
                `${x.metric.destination_service_name ?? '?'}${x.metric.destination_service_namespace === params.namespace ? '' : `.${x.metric.destination_service_namespace}`}`
              }
              unit="rps"
              label={`Outbound requests per second from ${service}`}
            />
          )}
        </PanelBody>
      </div>
    </section>
  );
}
