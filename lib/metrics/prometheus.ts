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
  else if (process.env.MESHDECK_PROMETHEUS_USER) headers.authorization = `Basic ${Buffer.from(`${process.env.MESHDECK_PROMETHEUS_USER}:${process.env.MESHDECK_PROMETHEUS_PASSWORD ?? ''}`).toString('base64')}`;
  return { url, headers };
}

/** An instant query; one query answers a whole panel (`sum by (...)`), never one per service. */
export async function instantQuery(expr: string, timeoutMs = 5000): Promise<Sample[]> {
  const { url, headers } = endpoint();
  let response: Response;
  try {
    response = await fetch(`${url}/api/v1/query`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query: expr }), signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const why = (error as Error).name === 'TimeoutError' ? `did not answer within ${timeoutMs} ms` : `is unreachable (${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message})`;
    throw new ApiError(503, `Prometheus at ${url} ${why}`, 'ServiceUnavailable');
  }
  const body = (await response.json().catch(() => undefined)) as { status?: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } } | undefined;
  if (!response.ok || body?.status !== 'success') throw new ApiError(response.status >= 500 || !body ? 502 : 400, `Prometheus rejected the query: ${body?.error ?? response.statusText}`, 'BadGateway');
  return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}
