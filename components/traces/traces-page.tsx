'use client';

import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo, useState, type FormEvent } from 'react';
import dynamic from 'next/dynamic';
import { DataTable, type DataColumn } from '@/components/ui/data-table';
import { Drawer } from '@/components/ui/drawer';
import { QueryState } from '@/components/ui/query-state';
import { formatMicros } from '@/lib/format';
import { servicesIn } from '@/lib/metrics/trace-search';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import type { TraceSummary, WaterfallRow } from '@/lib/traces/trace';
import { traceOperationsQuery, traceQuery, traceSearchQuery, traceServicesQuery } from '@/lib/queries/traces';
import { useUrlState } from '@/lib/url-state';
import styles from './traces.module.css';
import { timeOf } from './time';

// Tags every Istio sidecar puts on its spans, so the search works on any mesh.
const TAGS = ['guid:x-request-id', 'istio.canonical_revision', 'response_flags', 'error', 'http.status_code'];
const SEARCH_KEYS = ['service', 'operation', 'tags', 'lookback', 'start', 'end', 'limit', 'minDuration', 'maxDuration'];
/** From the first trace's start to the last's, in whole seconds. */
const spanOf = (items: TraceSummary[]) => `${Math.round((Math.max(...items.map((t) => t.startUs)) - Math.min(...items.map((t) => t.startUs))) / 1e6)} s`;
// recharts (about 120 kB gzip) loads with the first search's chart, not with the page.
const DurationChart = dynamic(() => import('./duration-chart').then((m) => m.DurationChart), {
  ssr: false,
  loading: () => <p className="muted">Loading chart…</p>,
});

export function TracesPage() {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const params = new URLSearchParams([...search].filter(([k]) => SEARCH_KEYS.includes(k)));
  const [traceId, setTraceId] = useUrlState('trace');
  const namespace = search.get(NAMESPACE_PARAM) ?? '';
  const services = useQuery(traceServicesQuery());
  const results = useQuery(traceSearchQuery(params));
  const inNamespace = servicesIn(services.data ?? [], namespace);
  const columns = useMemo(() => traceColumns(setTraceId), [setTraceId]);

  // A search is a new URL (back returns to the previous one); the selected namespace stays in it.
  const go = (next: URLSearchParams) => {
    if (namespace) next.set(NAMESPACE_PARAM, namespace);
    router.push(`${pathname}?${next}`);
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
                <DurationChart traces={d.items} onOpen={setTraceId} />
                <DataTable<TraceSummary>
                  label="Traces found"
                  rows={d.items}
                  columns={columns}
                  getRowId={(t) => t.traceID}
                  urlKey="traces"
                  openId={traceId}
                  onOpen={(t) => setTraceId(t.traceID)}
                  rowHeight={36}
                  empty="No trace matches the filter."
                />
              </>
            )}
          </QueryState>
        </section>
      )}
      <Drawer title={`Trace ${traceId}`} open={Boolean(traceId)} onClose={() => setTraceId(undefined)}>
        {traceId && <TraceView id={traceId} />}
      </Drawer>
    </>
  );
}

// The list sorts by what a person hunts for: the slowest, the newest, the biggest, the failing.
const traceColumns = (open: (id: string) => void): DataColumn<TraceSummary>[] => [
  {
    id: 'trace',
    header: 'Trace',
    width: '8.5rem',
    value: (t) => t.traceID,
    cell: (t) => (
      <button type="button" className="linkish" aria-label={`Open trace ${t.traceID}`} onClick={() => open(t.traceID)}>
        {t.traceID.slice(0, 12)}
      </button>
    ),
  },
  { id: 'time', header: 'Started', width: '7rem', value: (t) => t.startUs, cell: (t) => timeOf(t.startUs), hideBelow: 520 },
  {
    id: 'root',
    header: 'Root',
    width: 'minmax(8rem, 2fr)',
    value: (t) => `${t.rootService}: ${t.rootOperation}`,
    cell: (t) => `${t.rootService}: ${t.rootOperation}`,
    hideBelow: 700,
  },
  { id: 'spans', header: 'Spans', width: '9rem', value: (t) => t.spans, cell: (t) => `${t.spans} (${t.services.length} services)`, hideBelow: 520 },
  {
    id: 'errors',
    header: 'Errors',
    width: '5.5rem',
    value: (t) => t.errorSpans,
    cell: (t) => (t.error ? <span className="badge badge-warn">error{t.errorSpans > 1 ? ` ×${t.errorSpans}` : ''}</span> : <span className="muted">–</span>),
  },
  { id: 'duration', header: 'Duration', width: '6rem', align: 'end', value: (t) => t.durationUs, cell: (t) => formatMicros(t.durationUs) },
];

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
    <form className={`filters ${styles.form}`} aria-label="Search traces" onSubmit={submit}>
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
    <>
      <QueryState query={trace} label={`trace ${id}`}>
        {(t) => {
          const total = Math.max(1, t.summary.durationUs);
          const chosen = t.rows.find((r) => r.spanID === selected);
          return (
            <>
              <p>
                {t.summary.rootService}: {t.summary.rootOperation} · {formatMicros(t.summary.durationUs)} · {t.summary.spans} spans across{' '}
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
                      <span className="span-time">{formatMicros(r.durationUs)}</span>
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
    </>
  );
}

function spanLabel(r: WaterfallRow) {
  return `${r.service} ${r.operation}, ${formatMicros(r.durationUs)}${r.critical ? ', on the critical path' : ''}${r.error ? ', error' : ''}`;
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
