// Prometheus' HTTP API: the one place Meshdeck talks to Prometheus, through the shared outside
// HTTP client (lib/http/client.ts). The URL (and optional bearer token or basic auth) come from
// the environment; failures become ApiErrors.
import { ApiError } from '@/lib/k8s/errors';
import { serverEnv } from '@/lib/env';
import { httpClient } from '@/lib/http/client';

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

const prometheus = httpClient({
  name: 'Prometheus',
  urlVariable: 'MESHDECK_PROMETHEUS_URL',
  credentialsHint: 'MESHDECK_PROMETHEUS_TOKEN or MESHDECK_PROMETHEUS_USER/MESHDECK_PROMETHEUS_PASSWORD',
  connection: () => {
    const env = serverEnv();
    const headers: Record<string, string> = {};
    if (env.MESHDECK_PROMETHEUS_TOKEN) headers.authorization = `Bearer ${env.MESHDECK_PROMETHEUS_TOKEN}`;
    else if (env.MESHDECK_PROMETHEUS_USER)
      headers.authorization = `Basic ${Buffer.from(`${env.MESHDECK_PROMETHEUS_USER}:${env.MESHDECK_PROMETHEUS_PASSWORD ?? ''}`).toString('base64')}`;
    return { url: env.MESHDECK_PROMETHEUS_URL, headers };
  },
  errorMessage: (body) => (body as { error?: string } | null)?.error,
});

/** A call to Prometheus' API: its `data` when it answers `status: success`. */
async function call<T>(path: string, form?: Record<string, string>, timeoutMs?: number): Promise<T> {
  const body = await prometheus<{ status?: string; error?: string; data?: T }>(path, { form, timeoutMs });
  if (body?.status !== 'success') throw new ApiError(502, `Prometheus answered ${path} without success: ${body?.error ?? 'no status'}`, 'BadGateway');
  return body.data as T;
}

type Vector = { result: { metric: Record<string, string>; value: [number, string] }[] };
const samples = (data: Vector): Sample[] => data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));

/** An instant query; one query answers a whole panel (`sum by (...)`), never one per service. */
export async function instantQuery(expr: string, timeoutMs = 5000): Promise<Sample[]> {
  return samples(await call<Vector>('/api/v1/query', { query: expr }, timeoutMs));
}

export interface Series {
  metric: Record<string, string>;
  values: [number, number][];
}

/** A range query, for charts. */
export async function rangeQuery(expr: string, start: number, end: number, stepSeconds: number): Promise<Series[]> {
  const data = await call<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>('/api/v1/query_range', {
    query: expr,
    start: String(start),
    end: String(end),
    step: String(stepSeconds),
  });
  return data.result.map((r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
}

/** An instant query at a given time (seconds), for comparing with other readers at the same instant. */
export async function instantQueryAt(expr: string, time: number, timeoutMs?: number): Promise<Sample[]> {
  return samples(await call<Vector>('/api/v1/query', { query: expr, time: String(time) }, timeoutMs));
}

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'firing' | 'pending' | 'inactive';
  activeAt?: string;
  value: string;
}

export async function alerts(): Promise<Alert[]> {
  return (await call<{ alerts: Alert[] }>('/api/v1/alerts')).alerts;
}

export async function rules(): Promise<{ groups: { name: string; rules: { name: string; query: string; type: string; duration?: number }[] }[] }> {
  return call('/api/v1/rules');
}
