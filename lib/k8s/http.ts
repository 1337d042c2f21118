import { RequestContext, HttpMethod } from '@kubernetes/client-node';
import { fetch, Headers } from 'undici';
import { ApiError, toApiError } from './errors';
import type { KubeConnection } from './kube-config';
import { kubeConnection } from './kube-config';

export interface KubeRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
  /** Act as this user through Kubernetes impersonation (needs the dashboard's RBAC to allow it). */
  impersonate?: { user: string; groups: string[] };
}

type Connected = Extract<KubeConnection, { configured: true }>;

function connected(): Connected {
  const connection = kubeConnection();
  if (!connection.configured) throw new ApiError(503, connection.reason, 'ServiceUnavailable');
  return connection;
}

/**
 * One request to the Kubernetes API with the kubeconfig's credentials. Returns the
 * parsed JSON body; a non-2xx answer becomes an ApiError carrying the Status message.
 */
export async function kubeRequest<T>(request: KubeRequest): Promise<T> {
  const { kc, server } = connected();
  const url = new URL(server.replace(/\/$/, '') + request.path);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const method = request.method ?? 'GET';
  const context = new RequestContext(url.toString(), HttpMethod[method]);
  await kc.applySecurityAuthentication(context);
  const headers = context.getHeaders();
  headers.accept = 'application/json';
  if (request.body !== undefined) headers['content-type'] = request.contentType ?? 'application/json';
  if (request.impersonate) headers['impersonate-user'] = request.impersonate.user;

  const requestHeaders = new Headers(headers);
  for (const group of request.impersonate?.groups ?? []) requestHeaders.append('impersonate-group', group);

  let response;
  try {
    response = await fetch(url, {
      method,
      headers: requestHeaders,
      body: request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
      dispatcher: context.getDispatcher(),
      signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw toApiError(error);
  }
  const text = await response.text();
  if (!response.ok) throw toApiError({ code: response.status, body: text });
  return (text ? JSON.parse(text) : undefined) as T;
}
