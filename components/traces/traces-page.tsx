'use client';

import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { QueryState } from '@/components/ui/query-state';
import { servicesIn } from '@/lib/metrics/trace-search';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import type { TraceSummary, WaterfallRow } from '@/lib/traces/trace';
import { traceOperationsQuery, traceQuery, traceSearchQuery, traceServicesQuery } from '@/lib/queries/traces';

// Tags every Istio sidecar puts on its spans, so the search works on any mesh.
const TAGS = ['guid:x-request-id', 'istio.canonical_revision', 'response_flags', 'error', 'http.status_code'];
const SEARCH_KEYS = ['service', 'operation', 'tags', 'lookback', 'start', 'end', 'limit', 'minDuration', 'maxDuration'];
const msOf = (us: number) => (us >= 1e6 ? `${(us / 1e6).toFixed(2)} s` : `${(us / 1000).toFixed(1)} ms`);
/** From the first trace's start to the last's, in whole seconds. */
const spanOf = (items: TraceSummary[]) => `${Math.round((Math.max(...items.map((t) => t.startUs)) - Math.min(...items.map((t) => t.startUs))) / 1e6)} s`;

export function TracesPage() {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const params = new URLSearchParams([...search].filter(([k]) => SEARCH_KEYS.includes(k)));
  const traceId = search.get('trace') ?? '';
  const namespace = search.get(NAMESPACE_PARAM) ?? '';
  const services = useQuery(traceServicesQuery());
  const results = useQuery(traceSearchQuery(params));
  const inNamespace = servicesIn(services.data ?? [], namespace);

  // The selected namespace stays in the URL whatever is searched.
  const go = (next: URLSearchParams) => {
    if (namespace) next.set(NAMESPACE_PARAM, namespace);
    router.push(`${pathname}?${next}`);
  };
  const open = (id: string) => {
    const next = new URLSearchParams(search);
    next.set('trace', id);
    go(next);
  };

  return (
    <>
      <h1>Traces</h1>
      {services.isError && (
        <div className="state state-error" role="alert">
          <strong>Jaeger is unavailable</strong>: {services.error.message}. Traces cannot be searched; the rest of Meshdeck keeps working.
        </div>
      )}
      {namespace && services.isSuccess && inNamespace.length === 0 && (
        <p className="state state-empty" role="status">
          No traces for namespace {namespace}: Jaeger knows no service of it. Its services may receive no traffic, their proxies may not send spans to Jaeger
          (tracing is not enabled in the mesh config or a Telemetry resource), or sampling (Istio keeps 1% of requests by default) may have dropped them all.
        </p>
      )}
      {/* Searching again with the same criteria fetches fresh results. */}
      <SearchForm
        key={params.toString()}
        initial={params}
        services={inNamespace}
        onSearch={(next) => (next.toString() === params.toString() ? void results.refetch() : go(next))}
      />
      {params.has('service') && (
        <section className="panel" aria-labelledby="results-title">
          <h2 id="results-title">Results</h2>
          <QueryState query={results} label="traces" isEmpty={(d) => d.items.length === 0} empty="No traces match this search.">
            {(d) => (
              <>
                <p className="hint" aria-label="How the traces were chosen">
                  {d.items.length} traces spanning {spanOf(d.items)}. {d.rule ?? 'As searched.'}
                </p>
                <figure className="chart" role="img" aria-label={`Trace durations over time: ${d.items.length} traces`}>
                  <ResponsiveContainer width="100%" height={200}>
                    <ScatterChart margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                      <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
                      <XAxis
                        dataKey="t"
                        type="number"
                        domain={['dataMin', 'dataMax']}
                        name="time"
                        tickFormatter={(t: number) => new Date(t / 1000).toLocaleTimeString()}
                        stroke="var(--text-muted)"
                      />
                      <YAxis dataKey="ms" type="number" name="duration" unit=" ms" stroke="var(--text-muted)" width={70} />
                      <Tooltip formatter={(v) => String(v)} />
                      <Scatter
                        data={d.items.map((t) => ({ t: t.startUs, ms: Math.round(t.durationUs / 100) / 10, id: t.traceID, error: t.error }))}
                        fill="var(--accent)"
                        onClick={(p) => open((p as unknown as { id: string }).id)}
                      />
                    </ScatterChart>
                  </ResponsiveContainer>
                </figure>
                <table className="table" aria-label="Traces found">
                  <thead>
                    <tr>
                      <th scope="col">Trace</th>
                      <th scope="col">Started</th>
                      <th scope="col">Root</th>
                      <th scope="col">Spans</th>
                      <th scope="col">Duration</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.items.map((t) => (
                      <tr key={t.traceID}>
                        <th scope="row">
                          <button type="button" className="linkish" onClick={() => open(t.traceID)}>
                            {t.traceID.slice(0, 12)}
                          </button>{' '}
                          {t.error && <span className="badge badge-warn">error</span>}
                        </th>
                        <td>{new Date(t.startUs / 1000).toLocaleTimeString()}</td>
                        <td>
                          {t.rootService}: {t.rootOperation}
                        </td>
                        <td>
                          {t.spans} ({t.services.length} services)
                        </td>
                        <td>{msOf(t.durationUs)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </QueryState>
        </section>
      )}
      {traceId && <TraceView id={traceId} />}
    </>
  );
}

function SearchForm({ initial, services, onSearch }: { initial: URLSearchParams; services: string[]; onSearch: (p: URLSearchParams) => void }) {
  const [service, setService] = useState(initial.get('service') ?? '');
  const operations = useQuery(traceOperationsQuery(service));
  const tags = (() => {
    try {
      return JSON.parse(initial.get('tags') ?? '{}') as Record<string, string>;
    } catch {
      return {};
    }
  })();
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const key of ['service', 'operation', 'lookback', 'minDuration', 'maxDuration', 'limit']) {
      const value = String(form.get(key) ?? '').trim();
      if (value) next.set(key, value);
    }
    const chosen = Object.fromEntries(TAGS.map((t) => [t, String(form.get(`tag:${t}`) ?? '').trim()]).filter(([, v]) => v));
    if (Object.keys(chosen).length) next.set('tags', JSON.stringify(chosen));
    // A window from the KPIs page stays until another time range is chosen.
    if (next.get('lookback') === 'window') {
      next.delete('lookback');
      next.set('start', initial.get('start')!);
      next.set('end', initial.get('end') ?? '');
    }
    onSearch(next);
  }
  return (
    <form className="filters" aria-label="Search traces" onSubmit={submit}>
      <label>
        Service
        <select name="service" value={service} onChange={(e) => setService(e.target.value)} required>
          <option value="">choose…</option>
          {[...new Set([...services, ...(service ? [service] : [])])].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Operation
        <select name="operation" defaultValue={initial.get('operation') ?? ''}>
          <option value="">all</option>
          {(operations.data ?? []).map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      </label>
      {TAGS.map((t) => (
        <label key={t}>
          {t}
          <input name={`tag:${t}`} defaultValue={tags[t] ?? ''} size={t === 'error' ? 5 : 14} />
        </label>
      ))}
      <label>
        Min duration <input name="minDuration" defaultValue={initial.get('minDuration') ?? ''} placeholder="e.g. 500ms" size={8} />
      </label>
      <label>
        Max duration <input name="maxDuration" defaultValue={initial.get('maxDuration') ?? ''} placeholder="e.g. 5s" size={8} />
      </label>
      <label>
        Time range
        <select name="lookback" defaultValue={initial.get('start') ? 'window' : (initial.get('lookback') ?? '')}>
          {initial.get('start') && <option value="window">window from KPIs</option>}
          <option value="">last 1h, sized by traffic</option>
          {['5m', '15m', '1h', '6h', '24h'].map((l) => (
            <option key={l} value={l}>
              last {l}
            </option>
          ))}
        </select>
      </label>
      <label>
        Limit{' '}
        <input
          name="limit"
          type="number"
          min={1}
          max={200}
          defaultValue={initial.get('limit') ?? ''}
          placeholder={initial.get('lookback') || initial.get('start') ? '20' : '50'}
        />
      </label>
      <button type="submit" className="button">
        Search
      </button>
    </form>
  );
}

function TraceView({ id }: { id: string }) {
  const trace = useQuery(traceQuery(id));
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="trace-title">
      <h2 id="trace-title">Trace {id}</h2>
      <QueryState query={trace} label={`trace ${id}`}>
        {(t) => {
          const total = Math.max(1, t.summary.durationUs);
          const chosen = t.rows.find((r) => r.spanID === selected);
          return (
            <>
              <p>
                {t.summary.rootService}: {t.summary.rootOperation} · {msOf(t.summary.durationUs)} · {t.summary.spans} spans across{' '}
                {t.summary.services.join(', ')}
                {t.jaegerUrl && (
                  <>
                    {' '}
                    · <a href={t.jaegerUrl}>Open in Jaeger</a>
                  </>
                )}
              </p>
              <ol className="waterfall" aria-label="Span waterfall">
                {t.rows.map((r) => (
                  <li key={r.spanID}>
                    <button
                      type="button"
                      className={`span-row ${selected === r.spanID ? 'selected' : ''}`}
                      aria-pressed={selected === r.spanID}
                      aria-label={spanLabel(r)}
                      onClick={() => setSelected(r.spanID)}
                    >
                      <span className="span-name" style={{ paddingLeft: `${r.depth * 1.1}rem` }}>
                        {r.service} <span className="muted">{r.operation}</span>
                      </span>
                      <span className="span-track">
                        <span
                          className={`span-bar ${r.critical ? 'critical' : ''} ${r.error ? 'error' : ''}`}
                          style={{ left: `${(100 * r.offsetUs) / total}%`, width: `${Math.max(0.5, (100 * r.durationUs) / total)}%` }}
                        />
                      </span>
                      <span className="span-time">{msOf(r.durationUs)}</span>
                    </button>
                  </li>
                ))}
              </ol>
              <p className="hint">Dark bars are on the critical path: the spans the trace&apos;s end waited for.</p>
              {chosen && <SpanDetails row={chosen} />}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

function spanLabel(r: WaterfallRow) {
  return `${r.service} ${r.operation}, ${msOf(r.durationUs)}${r.critical ? ', on the critical path' : ''}${r.error ? ', error' : ''}`;
}

function SpanDetails({ row }: { row: WaterfallRow }) {
  return (
    <section aria-label={`Span details of ${row.service}`} className="route">
      <h3>
        {row.service}: {row.operation}
      </h3>
      <table className="table" aria-label="Span tags">
        <tbody>
          {row.tags.map((t) => (
            <tr key={t.key}>
              <th scope="row">{t.key}</th>
              <td>
                <code>{String(t.value)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>Process</h4>
      <p>{row.process.map((t) => `${t.key}=${String(t.value)}`).join(', ') || '–'}</p>
      <h4>Logs</h4>
      {row.logs.length === 0 ? <p className="muted">No logs on this span.</p> : row.logs.map((l, i) => <pre key={i}>{JSON.stringify(l.fields)}</pre>)}
    </section>
  );
}
