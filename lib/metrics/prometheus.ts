// Prometheus' HTTP API: the one place Meshdeck talks to Prometheus. The URL (and optional
// bearer token or basic auth) come from the environment; failures become ApiErrors.
import { ApiError } from '@/lib/k8s/errors';

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

function endpoint(): { url: string; headers: Record<string, string> } {
  const url = process.env.MESHDECK_PROMETHEUS_URL?.replace(/\/$/, '');
  if (!url) throw new ApiError(503, 'Prometheus is not configured: set MESHDECK_PROMETHEUS_URL', 'ServiceUnavailable');
  const headers: Record<string, string> = {};
  if (process.env.MESHDECK_PROMETHEUS_TOKEN) headers.authorization = `Bearer ${process.env.MESHDECK_PROMETHEUS_TOKEN}`;
  else if (process.env.MESHDECK_PROMETHEUS_USER)
    headers.authorization = `Basic ${Buffer.from(`${process.env.MESHDECK_PROMETHEUS_USER}:${process.env.MESHDECK_PROMETHEUS_PASSWORD ?? ''}`).toString('base64')}`;
  return { url, headers };
}

/** An instant query; one query answers a whole panel (`sum by (...)`), never one per service. */
export async function instantQuery(expr: string, timeoutMs = 5000): Promise<Sample[]> {
  const { url, headers } = endpoint();
  let response: Response;
  try {
    response = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const why =
      (error as Error).name === 'TimeoutError'
        ? `did not answer within ${timeoutMs} ms`
        : `is unreachable (${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message})`;
    throw new ApiError(503, `Prometheus at ${url} ${why}`, 'ServiceUnavailable');
  }
  const body = (await response.json().catch(() => undefined)) as
    { status?: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } } | undefined;
  if (!response.ok || body?.status !== 'success')
    throw new ApiError(response.status >= 500 || !body ? 502 : 400, `Prometheus rejected the query: ${body?.error ?? response.statusText}`, 'BadGateway');
  return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

export interface Series {
  metric: Record<string, string>;
  values: [number, number][];
}

async function call<T>(path: string, params: Record<string, string>, timeoutMs = 5000): Promise<T> {
  const { url, headers } = endpoint();
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const why =
      (error as Error).name === 'TimeoutError'
        ? `did not answer within ${timeoutMs} ms`
        : `is unreachable (${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message})`;
    throw new ApiError(503, `Prometheus at ${url} ${why}`, 'ServiceUnavailable');
  }
  const body = (await response.json().catch(() => undefined)) as { status?: string; error?: string; data?: T } | undefined;
  if (!response.ok || body?.status !== 'success')
    throw new ApiError(response.status >= 500 || !body ? 502 : 400, `Prometheus rejected the request: ${body?.error ?? response.statusText}`, 'BadGateway');
  return body.data as T;
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
export async function instantQueryAt(expr: string, time: number): Promise<Sample[]> {
  const data = await call<{ result: { metric: Record<string, string>; value: [number, string] }[] }>('/api/v1/query', { query: expr, time: String(time) });
  return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'firing' | 'pending' | 'inactive';
  activeAt?: string;
  value: string;
}

export async function alerts(): Promise<Alert[]> {
  const { url, headers } = endpoint();
  let response: Response;
  try {
    response = await fetch(`${url}/api/v1/alerts`, { headers, signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw new ApiError(
      503,
      `Prometheus at ${url} is unreachable (${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message})`,
      'ServiceUnavailable',
    );
  }
  const body = (await response.json().catch(() => undefined)) as { status?: string; data?: { alerts: Alert[] } } | undefined;
  if (!response.ok || body?.status !== 'success') throw new ApiError(502, `Prometheus answered ${response.status} for /api/v1/alerts`, 'BadGateway');
  return body.data!.alerts;
}

export async function rules(): Promise<{ groups: { name: string; rules: { name: string; query: string; type: string; duration?: number }[] }[] }> {
  const { url, headers } = endpoint();
  const response = await fetch(`${url}/api/v1/rules`, { headers, signal: AbortSignal.timeout(5000) }).catch((error: Error) => {
    throw new ApiError(503, `Prometheus at ${url} is unreachable (${(error.cause as Error | undefined)?.message ?? error.message})`, 'ServiceUnavailable');
  });
  const body = (await response.json()) as { status: string; data: never };
  if (body.status !== 'success') throw new ApiError(502, 'Prometheus could not list its rules', 'BadGateway');
  return body.data;
}
