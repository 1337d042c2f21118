// Spans kept in bounded memory and served through Jaeger's HTTP query API, in Jaeger's
// JSON format (/api/services, /api/services/{s}/operations, /api/traces, /api/traces/{id}).
import { durationMs } from '../../lib/mesh/duration.ts';

export interface Tag {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64';
  value: string | boolean | number;
}

export interface Span {
  traceID: string;
  spanID: string;
  parentSpanID?: string;
  operationName: string;
  serviceName: string;
  startTime: number; // microseconds since the epoch
  duration: number; // microseconds
  tags: Tag[];
  processTags: Tag[];
}

export interface TraceQuery {
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  start?: number; // µs
  end?: number; // µs
  limit?: number;
  minDuration?: number; // µs
  maxDuration?: number; // µs
}

/** Jaeger's duration strings ("1.2s", "500ms", "100us", Go's syntax as Jaeger parses them) in microseconds. */
export function parseJaegerDuration(value: string | null): number | undefined {
  if (!value) return undefined;
  const ms = durationMs(value);
  if (ms === undefined) throw new Error(`cannot parse duration "${value}": use a number with us, ms, s, m or h`);
  return ms * 1000;
}

const tagValue = (tag: Tag) => String(tag.value);

export class TraceStore {
  private readonly traces = new Map<string, Span[]>();
  private readonly capacity: number;

  constructor(capacity = 20_000) {
    this.capacity = capacity;
  }

  add(spans: Span[]): void {
    if (spans.length === 0) return;
    const id = spans[0]!.traceID;
    this.traces.set(id, spans);
    // Maps iterate in insertion order: the first key is the oldest trace.
    while (this.traces.size > this.capacity) this.traces.delete(this.traces.keys().next().value!);
  }

  size(): number {
    return this.traces.size;
  }

  services(): string[] {
    const names = new Set<string>();
    for (const spans of this.traces.values()) for (const span of spans) names.add(span.serviceName);
    return [...names].sort();
  }

  operations(service: string): { name: string; spanKind: string }[] {
    const names = new Map<string, string>();
    for (const spans of this.traces.values()) {
      for (const span of spans) {
        if (span.serviceName !== service) continue;
        names.set(span.operationName, String(span.tags.find((t) => t.key === 'span.kind')?.value ?? 'server'));
      }
    }
    return [...names].map(([name, spanKind]) => ({ name, spanKind })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Traces with a span of the service that fits every condition, newest first. */
  find(query: TraceQuery): Span[][] {
    const out: Span[][] = [];
    const all = [...this.traces.values()];
    for (let i = all.length - 1; i >= 0 && out.length < (query.limit ?? 20); i--) {
      const spans = all[i]!;
      const fits = spans.some(
        (s) =>
          s.serviceName === query.service &&
          (!query.operation || s.operationName === query.operation) &&
          (query.start === undefined || s.startTime >= query.start) &&
          (query.end === undefined || s.startTime <= query.end) &&
          (query.minDuration === undefined || s.duration >= query.minDuration) &&
          (query.maxDuration === undefined || s.duration <= query.maxDuration) &&
          Object.entries(query.tags ?? {}).every(([k, v]) => s.tags.some((t) => t.key === k && tagValue(t) === v)),
      );
      if (fits) out.push(spans);
    }
    return out;
  }

  get(traceID: string): Span[] | undefined {
    return this.traces.get(traceID);
  }
}

/** One trace in Jaeger's JSON model, with its processes table. */
export function toJaegerTrace(spans: Span[]): Record<string, unknown> {
  const processes: Record<string, { serviceName: string; tags: Tag[] }> = {};
  const processIds = new Map<string, string>();
  for (const span of spans) {
    if (!processIds.has(span.serviceName)) {
      const id = `p${processIds.size + 1}`;
      processIds.set(span.serviceName, id);
      processes[id] = { serviceName: span.serviceName, tags: span.processTags };
    }
  }
  return {
    traceID: spans[0]!.traceID,
    spans: spans.map((s) => ({
      traceID: s.traceID,
      spanID: s.spanID,
      operationName: s.operationName,
      references: s.parentSpanID ? [{ refType: 'CHILD_OF', traceID: s.traceID, spanID: s.parentSpanID }] : [],
      startTime: s.startTime,
      duration: s.duration,
      tags: s.tags,
      logs: [],
      processID: processIds.get(s.serviceName),
      warnings: null,
    })),
    processes,
    warnings: null,
  };
}

/** Answers a Jaeger query API request; undefined for paths that are not part of it. */
export function jaegerApi(store: TraceStore, url: URL, now = Date.now()): { status: number; body: unknown } | undefined {
  const envelope = (data: unknown, extra: Record<string, unknown> = {}) => ({
    data,
    total: Array.isArray(data) ? data.length : 0,
    limit: 0,
    offset: 0,
    errors: null,
    ...extra,
  });
  const error = (status: number, msg: string) => ({ status, body: { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] } });
  const path = url.pathname;
  if (path === '/api/services') return { status: 200, body: envelope(store.services()) };
  let m = /^\/api\/services\/([^/]+)\/operations$/.exec(path);
  if (m) return { status: 200, body: envelope(store.operations(decodeURIComponent(m[1]!)).map((o) => o.name)) };
  if (path === '/api/operations') {
    const service = url.searchParams.get('service');
    if (!service) return error(400, 'parameter service is required');
    return { status: 200, body: envelope(store.operations(service)) };
  }
  m = /^\/api\/traces\/([0-9a-f]+)$/i.exec(path);
  if (m) {
    const spans = store.get(m[1]!.toLowerCase());
    return spans ? { status: 200, body: envelope([toJaegerTrace(spans)]) } : error(404, 'trace not found');
  }
  if (path === '/api/traces') {
    const q = url.searchParams;
    const service = q.get('service');
    if (!service) return error(400, "parameter 'service' is required");
    let tags: Record<string, string> | undefined;
    try {
      tags = q.get('tags') ? (JSON.parse(q.get('tags')!) as Record<string, string>) : undefined;
      for (const t of q.getAll('tag')) {
        const [k, ...v] = t.split(':');
        tags = { ...tags, [k!]: v.join(':') };
      }
      const lookback = parseJaegerDuration(q.get('lookback') === 'custom' ? null : q.get('lookback'));
      const end = q.get('end') ? Number(q.get('end')) : now * 1000;
      const start = q.get('start') ? Number(q.get('start')) : lookback !== undefined ? end - lookback : end - 3.6e9;
      const found = store.find({
        service,
        operation: q.get('operation') ?? undefined,
        tags,
        start,
        end,
        limit: q.get('limit') ? Number(q.get('limit')) : 20,
        minDuration: parseJaegerDuration(q.get('minDuration')),
        maxDuration: parseJaegerDuration(q.get('maxDuration')),
      });
      return { status: 200, body: envelope(found.map(toJaegerTrace)) };
    } catch (e) {
      return error(400, (e as Error).message);
    }
  }
  return undefined;
}
