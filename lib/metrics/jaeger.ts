// Jaeger's HTTP query API: the one place Meshdeck talks to Jaeger, through the shared outside
// HTTP client (lib/http/client.ts): unreachable, slow or refusing answers become ApiErrors.
import { serverEnv } from '@/lib/env';
import { httpClient } from '@/lib/http/client';
import { ApiError } from '@/lib/k8s/errors';
import type { JaegerTrace } from '@/lib/traces/trace';
import { instantQuery } from './prometheus';
import { requestRate } from './promql';
import { AUTO_LIMIT, meshServiceOf, planTraceSearch, type TraceSearchPlan } from './trace-search';

export interface TraceSearch {
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  lookback?: string;
  start?: number; // µs
  end?: number; // µs
  limit?: number;
  minDuration?: string;
  maxDuration?: string;
}

export const jaegerUiUrl = () => serverEnv().MESHDECK_JAEGER_UI_URL?.replace(/\/$/, '');

const jaeger = httpClient({
  name: 'Jaeger',
  urlVariable: 'MESHDECK_JAEGER_URL',
  connection: () => ({ url: serverEnv().MESHDECK_JAEGER_URL }),
  errorMessage: (body) => (body as { errors?: { msg: string }[] | null } | null)?.errors?.[0]?.msg,
});

/** A Jaeger API call: its `data`. */
const get = async <T>(path: string, query: Record<string, string | undefined> = {}) => (await jaeger<{ data?: T }>(path, { query })).data as T;

export const services = () => get<string[]>('/api/services');
export const operations = (service: string) => get<string[]>(`/api/services/${encodeURIComponent(service)}/operations`);
export const trace = async (id: string) => {
  const traces = await get<JaegerTrace[]>(`/api/traces/${encodeURIComponent(id)}`);
  if (!traces[0]) throw new ApiError(404, `trace ${id} not found`, 'NotFound');
  return traces[0];
};
export const search = (q: TraceSearch) =>
  get<JaegerTrace[]>('/api/traces', {
    service: q.service,
    operation: q.operation,
    tags: q.tags && Object.keys(q.tags).length ? JSON.stringify(q.tags) : undefined,
    lookback: q.start === undefined ? (q.lookback ?? '1h') : undefined,
    start: q.start?.toString(),
    end: q.end?.toString(),
    limit: String(q.limit ?? 20),
    minDuration: q.minDuration,
    maxDuration: q.maxDuration,
  });

/** A service's inbound request rate (req/s over 5 minutes) from Prometheus; null when unknown. */
async function serviceRate(jaegerService: string): Promise<number | null> {
  const mesh = meshServiceOf(jaegerService);
  if (!mesh) return null;
  const samples = await instantQuery(requestRate({ namespace: mesh.namespace, service: mesh.service }, '5m', [])).catch(() => undefined);
  if (!samples) return null;
  return samples[0]?.value ?? 0;
}

/**
 * A trace search. With a lookback or a start it is Jaeger's search as asked; without, the
 * default one: the last hour sized by the service's request rate (planTraceSearch), its
 * slices searched side by side. `plan` says which rule applied.
 */
export async function searchTraces(q: TraceSearch, now = Date.now() / 1000): Promise<{ traces: JaegerTrace[]; plan: TraceSearchPlan | null }> {
  if (q.lookback || q.start !== undefined) return { traces: await search(q), plan: null };
  const plan = planTraceSearch(await serviceRate(q.service), q.limit ?? AUTO_LIMIT, now);
  const found = await Promise.all(plan.slices.map((slice) => search({ ...q, start: slice.start, end: slice.end, limit: slice.limit })));
  // A trace whose spans start in two slices is found twice.
  const traces = [...new Map(found.flat().map((t) => [t.traceID, t])).values()];
  return { traces, plan };
}
