// The one HTTP client for the outside systems Meshdeck reads (Prometheus, Jaeger): base URL,
// timeout, JSON, and every way a call can fail mapped to an ApiError a person can act on.
// (The Kubernetes API has its own transport in lib/k8s/http.ts: TLS, impersonation, watches.)
import { ApiError } from '@/lib/k8s/errors';

/** How a call to an outside system failed. */
export type OutsideFailure = 'not-configured' | 'timeout' | 'unreachable' | 'credentials' | 'not-found' | 'rejected' | 'server-error' | 'bad-json';

/** An outside system's failure: an ApiError (so routes map it) that also says which system and how. */
export class OutsideSystemError extends ApiError {
  constructor(
    readonly system: string,
    readonly failure: OutsideFailure,
    status: number,
    message: string,
  ) {
    super(status, message);
    this.name = 'OutsideSystemError';
  }
}

export interface OutsideSystem {
  /** Its name in messages, e.g. `Prometheus`. */
  name: string;
  /** The environment variable that sets its URL, named when the URL is missing. */
  urlVariable: string;
  /** Base URL and headers, read at each call (configuration may be set after import, as in tests). */
  connection: () => { url: string | undefined; headers?: Record<string, string> };
  /** What to check when it refuses the credentials, e.g. `MESHDECK_PROMETHEUS_TOKEN`. */
  credentialsHint?: string;
  /** The system's own explanation inside an error answer's JSON body. */
  errorMessage?: (body: unknown) => string | undefined;
  /** Default timeout per call; 5 s. */
  timeoutMs?: number;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  /** Query-string parameters; undefined and empty values are left out. */
  query?: Record<string, string | undefined>;
  /** A form body (POST), as Prometheus takes long queries. */
  form?: Record<string, string>;
  timeoutMs?: number;
}

const causeOf = (error: Error) => (error.cause as Error | undefined)?.message ?? error.message;

/** Builds the query string without empty values. */
function queryString(query: RequestOptions['query']): string {
  const params = new URLSearchParams(Object.entries(query ?? {}).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  return params.size ? `?${params}` : '';
}

/**
 * A JSON client for one outside system. Each call resolves to the parsed body of a 2xx answer,
 * or throws an {@link OutsideSystemError}: 503 when the system is not configured, unreachable
 * or slow; 404 when it says not found; 400 when it rejects the request; 502 when it fails,
 * refuses Meshdeck's credentials or answers something that is not JSON.
 */
export function httpClient(system: OutsideSystem) {
  const fail = (failure: OutsideFailure, status: number, message: string) => new OutsideSystemError(system.name, failure, status, message);

  return async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const { url: configured, headers = {} } = system.connection();
    const base = configured?.replace(/\/$/, '');
    if (!base) throw fail('not-configured', 503, `${system.name} is not configured: set ${system.urlVariable}`);
    const timeoutMs = options.timeoutMs ?? system.timeoutMs ?? 5000;
    const where = `${system.name} at ${base}`;

    let response: Response;
    try {
      response = await fetch(`${base}${path}${queryString(options.query)}`, {
        method: options.method ?? (options.form ? 'POST' : 'GET'),
        headers: options.form ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
        body: options.form ? new URLSearchParams(options.form) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw fail('timeout', 503, `${where} did not answer within ${timeoutMs} ms`);
      throw fail('unreachable', 503, `${where} is unreachable (${causeOf(error as Error)})`);
    }

    const text = await response.text().catch(() => '');
    let body: unknown;
    let json = true;
    try {
      body = JSON.parse(text);
    } catch {
      json = false;
    }
    if (response.ok) {
      if (!json) throw fail('bad-json', 502, `${where} answered ${path} with something that is not JSON: ${text.slice(0, 80) || '(empty)'}`);
      return body as T;
    }
    const detail = (json ? system.errorMessage?.(body) : undefined) ?? `${response.status} ${response.statusText}`.trim();
    if (response.status === 401 || response.status === 403)
      throw fail(
        'credentials',
        502,
        `${where} refused Meshdeck's credentials (${response.status})${system.credentialsHint ? `: check ${system.credentialsHint}` : ''}`,
      );
    if (response.status === 404) throw fail('not-found', 404, `${system.name}: ${detail}`);
    if (response.status >= 500 || !json) throw fail('server-error', 502, `${where} failed: ${detail}`);
    throw fail('rejected', 400, `${system.name} rejected the request: ${detail}`);
  };
}
