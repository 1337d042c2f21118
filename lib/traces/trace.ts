// A Jaeger trace as Meshdeck shows it: spans in a tree, a waterfall with offsets, and the
// critical path (the chain of spans that the trace's end time actually waited on).

export interface JaegerTag {
  key: string;
  type?: string;
  value: unknown;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  startTime: number; // µs
  duration: number; // µs
  tags: JaegerTag[];
  logs: { timestamp: number; fields: JaegerTag[] }[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
}

export interface WaterfallRow {
  spanID: string;
  parentID?: string;
  depth: number;
  service: string;
  operation: string;
  offsetUs: number;
  durationUs: number;
  error: boolean;
  critical: boolean;
  tags: JaegerTag[];
  logs: JaegerSpan['logs'];
  process: JaegerTag[];
}

export interface TraceSummary {
  traceID: string;
  rootService: string;
  rootOperation: string;
  startUs: number;
  durationUs: number;
  spans: number;
  services: string[];
  error: boolean;
  /** How many spans failed: sorts the failing traces first, the worst on top. */
  errorSpans: number;
}

const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF' || r.refType === 'FOLLOWS_FROM')?.spanID;
const isError = (span: JaegerSpan) => span.tags.some((t) => t.key === 'error' && (t.value === true || t.value === 'true'));

export function summarize(trace: JaegerTrace): TraceSummary {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const root = trace.spans.find((s) => !parentOf(s) || !ids.has(parentOf(s)!)) ?? trace.spans[0]!;
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  const end = Math.max(...trace.spans.map((s) => s.startTime + s.duration));
  return {
    traceID: trace.traceID,
    rootService: trace.processes[root.processID]?.serviceName ?? '?',
    rootOperation: root.operationName,
    startUs: start,
    durationUs: end - start,
    spans: trace.spans.length,
    services: [...new Set(trace.spans.map((s) => trace.processes[s.processID]?.serviceName ?? '?'))],
    error: trace.spans.some(isError),
    errorSpans: trace.spans.filter(isError).length,
  };
}

/**
 * The critical path: from the root, repeatedly follow the child that finished last before
 * the current span's end; those spans are what the end of the trace waited for.
 */
export function criticalPath(trace: JaegerTrace): Set<string> {
  const children = new Map<string, JaegerSpan[]>();
  const ids = new Set(trace.spans.map((s) => s.spanID));
  for (const span of trace.spans) {
    const parent = parentOf(span);
    if (parent && ids.has(parent)) children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const path = new Set<string>();
  const roots = trace.spans.filter((s) => !parentOf(s) || !ids.has(parentOf(s)!));
  const walk = (span: JaegerSpan, until: number) => {
    path.add(span.spanID);
    let cursor = Math.min(until, span.startTime + span.duration);
    // Children in order of their end, latest first, each one that ends before the cursor joins the path.
    const sorted = [...(children.get(span.spanID) ?? [])].sort((a, b) => b.startTime + b.duration - (a.startTime + a.duration));
    for (const child of sorted) {
      const end = child.startTime + child.duration;
      if (end <= cursor + 1 && end > span.startTime) {
        walk(child, cursor);
        cursor = child.startTime;
      }
    }
  };
  const last = roots.sort((a, b) => b.startTime + b.duration - (a.startTime + a.duration))[0];
  if (last) walk(last, last.startTime + last.duration);
  return path;
}

/** The waterfall: spans depth-first in start order, with offsets from the trace start. */
export function waterfall(trace: JaegerTrace): WaterfallRow[] {
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  const critical = criticalPath(trace);
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const children = new Map<string | undefined, JaegerSpan[]>();
  for (const span of trace.spans) {
    const parent = parentOf(span);
    const key = parent && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const rows: WaterfallRow[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const span of [...(children.get(parent) ?? [])].sort((a, b) => a.startTime - b.startTime)) {
      const process = trace.processes[span.processID];
      rows.push({
        spanID: span.spanID,
        parentID: parent,
        depth,
        service: process?.serviceName ?? '?',
        operation: span.operationName,
        offsetUs: span.startTime - start,
        durationUs: span.duration,
        error: isError(span),
        critical: critical.has(span.spanID),
        tags: span.tags,
        logs: span.logs,
        process: process?.tags ?? [],
      });
      visit(span.spanID, depth + 1);
    }
  };
  visit(undefined, 0);
  return rows;
}
