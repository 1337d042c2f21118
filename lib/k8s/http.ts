import { RequestContext, HttpMethod } from '@kubernetes/client-node';
import { fetch, Headers, type Dispatcher } from 'undici';
import { ApiError, apiErrorFromStatus, toApiError } from './errors';
import type { KubeConnection } from './kube-config';
import { kubeConnection } from './kube-config';

export interface KubeRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** The Accept header (default application/json), e.g. to ask for PartialObjectMetadata. */
  accept?: string;
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

/** URL, headers and TLS dispatcher for one request, with the kubeconfig's credentials applied. */
async function prepare(request: KubeRequest): Promise<{ url: URL; method: string; headers: Headers; dispatcher: Dispatcher | undefined }> {
  const { kc, server } = connected();
  const url = new URL(server.replace(/\/$/, '') + request.path);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const method = request.method ?? 'GET';
  const context = new RequestContext(url.toString(), HttpMethod[method]);
  await kc.applySecurityAuthentication(context);
  const headers = new Headers(context.getHeaders());
  headers.set('accept', request.accept ?? 'application/json');
  if (request.body !== undefined) headers.set('content-type', request.contentType ?? 'application/json');
  if (request.impersonate) {
    headers.set('impersonate-user', request.impersonate.user);
    for (const group of request.impersonate.groups) headers.append('impersonate-group', group);
  }
  return { url, method, headers, dispatcher: context.getDispatcher() as Dispatcher | undefined };
}

/**
 * One request to the Kubernetes API with the kubeconfig's credentials. Returns the
 * parsed JSON body; a non-2xx answer becomes an ApiError classified from its Status.
 */
export async function kubeRequest<T>(request: KubeRequest): Promise<T> {
  const { url, method, headers, dispatcher } = await prepare(request);
  let response;
  let text;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
      dispatcher,
      signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
    });
    text = await response.text();
  } catch (error) {
    throw toApiError(error);
  }
  if (!response.ok) throw toApiError({ code: response.status, body: text });
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface KubeWatchRequest extends Omit<KubeRequest, 'method' | 'body' | 'contentType'> {
  /** Give up on a stream that sends nothing (not even a bookmark) for this long. */
  idleTimeoutMs?: number;
}

/** A watch event as the API streams it; ERROR events end the watch instead (see kubeWatch). */
export interface KubeWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: unknown;
}

/**
 * Opens a watch (`?watch=true`) and reads its newline-delimited JSON events. Resolves once the
 * API accepted the watch (a non-2xx answer rejects with its ApiError, e.g. 410 Gone). Then
 * `onEvent` gets each event and `onClose` is called once: without an error when the server ended
 * the stream (its timeoutSeconds), with the ApiError of an ERROR event (a Status, e.g. 410 Expired
 * inside HTTP 200), or with the transport error. `abort()` ends it without calling `onClose`.
 */
export async function kubeWatch(request: KubeWatchRequest, onEvent: (event: KubeWatchEvent) => void, onClose: (error?: ApiError) => void): Promise<{ abort(): void }> {
  const { url, method, headers, dispatcher } = await prepare(request);
  url.searchParams.set('watch', 'true');
  const controller = new AbortController();
  let ended = false;
  const silent = (ms: number) => {
    const timer = setTimeout(() => controller.abort(new DOMException('The watch went silent', 'TimeoutError')), ms);
    timer.unref?.();
    return timer;
  };
  // Until the API answers: timeoutMs; then between two chunks of the stream: idleTimeoutMs.
  let idleTimer = silent(request.timeoutMs ?? 30_000);
  const resetIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = silent(request.idleTimeoutMs ?? 5 * 60_000);
  };
  const end = (error?: ApiError) => {
    if (ended) return;
    ended = true;
    clearTimeout(idleTimer);
    controller.abort();
    onClose(error);
  };
  const handle = {
    abort() {
      ended = true;
      clearTimeout(idleTimer);
      controller.abort();
    },
  };

  let response;
  try {
    response = await fetch(url, { method, headers, dispatcher, signal: controller.signal });
    if (!response.ok) throw toApiError({ code: response.status, body: await response.text() });
  } catch (error) {
    handle.abort();
    throw toApiError(error);
  }
  resetIdle();
  const body = response.body;
  void (async () => {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of body ?? []) {
        resetIdle();
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0 && !ended) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) deliver(line);
        }
        if (ended) return;
      }
      end();
    } catch (error) {
      if (!ended) end(toApiError(error));
    }
  })();

  function deliver(line: string) {
    let event: { type?: unknown; object?: unknown };
    try {
      event = JSON.parse(line);
    } catch {
      return end(new ApiError(502, 'The Kubernetes API sent a watch event that is not JSON', 'BadGateway'));
    }
    if (event.type === 'ERROR') return end(apiErrorFromStatus(event.object));
    if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED' || event.type === 'BOOKMARK') onEvent({ type: event.type, object: event.object });
  }
  return handle;
}
