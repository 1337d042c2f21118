/**
 * A failure talking to (or refused by) the Kubernetes API, carrying the HTTP status
 * the route handlers pass on to the browser.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string = reasonForStatus(status),
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function reasonForStatus(status: number): string {
  switch (status) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 409: return 'Conflict';
    case 410: return 'Expired';
    case 413: return 'RequestEntityTooLarge';
    case 415: return 'UnsupportedMediaType';
    case 422: return 'Invalid';
    case 503: return 'ServiceUnavailable';
    case 504: return 'Timeout';
    default: return status >= 500 ? 'InternalError' : 'Unknown';
  }
}

interface StatusLike {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: unknown;
}

const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/**
 * Normalises whatever the client library threw (ApiException with a Status body,
 * a fetch/network error, an abort) into an ApiError.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; body?: unknown; message?: unknown; cause?: unknown; name?: unknown };
    if (typeof e.code === 'number' && e.code >= 400) {
      const status = parseStatusBody(e.body);
      return new ApiError(e.code, status?.message ?? `Kubernetes API answered ${e.code}`, status?.reason, status?.details);
    }
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return new ApiError(504, 'The Kubernetes API did not answer in time');
    }
    const networkCode = networkErrorCode(error);
    if (networkCode) {
      return new ApiError(503, `The Kubernetes API is unreachable (${networkCode})`, 'ServiceUnavailable');
    }
    // undici reports every transport failure as TypeError('fetch failed') with the cause inside.
    if (e.message === 'fetch failed') {
      const cause = e.cause instanceof Error ? e.cause.message : 'no connection';
      return new ApiError(503, `The Kubernetes API is unreachable (${cause})`, 'ServiceUnavailable');
    }
    if (typeof e.message === 'string') return new ApiError(502, `Kubernetes API request failed: ${e.message}`, 'BadGateway');
  }
  return new ApiError(502, 'Kubernetes API request failed', 'BadGateway');
}

function parseStatusBody(body: unknown): StatusLike | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body ? { message: body } : undefined;
    }
  }
  return value && typeof value === 'object' ? (value as StatusLike) : undefined;
}

function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code: unknown = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
