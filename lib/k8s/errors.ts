import { STATUS_CODES } from 'node:http';
import { kindOfResource } from './resources';

/** One entry of a Kubernetes Status's `details.causes`: which field, and what is wrong with it. */
export interface StatusCause {
  reason: string;
  field: string;
  message: string;
}

/** The `details` of a Kubernetes Status (`kind` is the plural resource in most answers, the Kind in some). */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: Partial<StatusCause>[];
  retryAfterSeconds?: number;
}

/**
 * A failure talking to (or refused by) the Kubernetes API, carrying the HTTP status the
 * route handlers pass on to the browser, the Status `reason`, its `details` and its causes.
 */
export class ApiError extends Error {
  readonly causes: StatusCause[];

  constructor(
    readonly status: number,
    message: string,
    readonly reason: string = reasonForStatus(status),
    readonly details?: unknown,
    causes: StatusCause[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.causes = causes;
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

interface Status {
  message?: unknown;
  reason?: unknown;
  code?: unknown;
  details?: unknown;
}

const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/**
 * Normalises whatever a request to the API ended with (an HTTP answer `{ code, body }` whose
 * body is a Status, a fetch/network error, an abort) into an ApiError. Kubernetes answers are
 * classified from the Status's code, reason and details, never from its message text.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; body?: unknown; message?: unknown; cause?: unknown; name?: unknown };
    if (typeof e.code === 'number' && e.code >= 400) return apiErrorFromStatus(parseStatus(e.body), e.code);
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return new ApiError(504, 'The Kubernetes API did not answer in time');
    }
    const networkCode = networkErrorCode(error);
    if (networkCode) {
      return new ApiError(503, `The Kubernetes API is unreachable (${networkCode})`, 'ServiceUnavailable');
    }
    // undici reports every transport failure as TypeError('fetch failed') with the cause inside.
    if (e.message === 'fetch failed') {
      const cause = e.cause instanceof Error ? firstLine(e.cause.message) : 'no connection';
      return new ApiError(503, `The Kubernetes API is unreachable (${cause})`, 'ServiceUnavailable');
    }
    if (typeof e.message === 'string') return new ApiError(502, `Kubernetes API request failed: ${firstLine(e.message)}`, 'BadGateway');
  }
  return new ApiError(502, 'Kubernetes API request failed', 'BadGateway');
}

/**
 * The ApiError for a Kubernetes Status object (an error answer's body, or the object of a
 * watch ERROR event). `httpStatus` wins over the Status's own code when both are present.
 */
export function apiErrorFromStatus(status: unknown, httpStatus?: number): ApiError {
  const s: Status = status && typeof status === 'object' ? (status as Status) : {};
  const code = httpStatus ?? (typeof s.code === 'number' ? s.code : 500);
  const reason = typeof s.reason === 'string' && s.reason ? s.reason : reasonForStatus(code);
  const details = s.details && typeof s.details === 'object' ? (s.details as StatusDetails) : undefined;
  const causes = (details?.causes ?? []).map((c) => ({ reason: c.reason ?? '', field: c.field ?? '', message: c.message ?? '' }));
  const serverMessage = typeof s.message === 'string' ? s.message : '';
  return new ApiError(code, messageFor(code, reason, details, causes, serverMessage), reason, details, causes);
}

function parseStatus(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined; // an HTML error page or a proxy's text: not something to show a person
  }
}

/** `VirtualService "reviews"`, from a Status's details (whose `kind` may be the plural). */
function subjectOf(details: StatusDetails | undefined): string | undefined {
  if (!details?.name || !details.kind) return undefined;
  return `${kindOfResource(details.kind, details.group ?? '')} "${details.name}"`;
}

// A person reads this message in the dashboard: say what happened in their terms and keep
// the API's own wording where it already names the user, verb and resource (Forbidden).
function messageFor(code: number, reason: string, details: StatusDetails | undefined, causes: StatusCause[], serverMessage: string): string {
  const subject = subjectOf(details);
  switch (reason) {
    case 'NotFound':
      if (subject) return `${subject} does not exist`;
      break;
    case 'AlreadyExists':
      if (subject) return `${subject} already exists`;
      break;
    case 'Conflict':
      if (causes.length > 0) return `The change conflicts with fields another field manager owns: ${describeCauses(causes)}`;
      return `${subject ?? 'The object'} changed since it was read`;
    case 'Invalid':
      if (causes.length > 0) return `${subject ?? 'The request'} is invalid: ${describeCauses(causes)}`;
      return `The Kubernetes API refused the change to ${subject ?? 'the object'} as invalid without naming a field`;
    case 'Unauthorized':
      return "The Kubernetes API did not accept the dashboard's credentials (401 Unauthorized): check the kubeconfig's token or certificate";
  }
  return serverMessage || `The Kubernetes API answered ${code} ${STATUS_CODES[code] ?? ''}`.trimEnd();
}

// CEL validation adds this cause (field "<nil>") whenever schema errors stopped it early.
const NOT_CHECKED_FIELD = '<nil>';
const MAX_CAUSES_SHOWN = 5;

/**
 * Turns a Status's causes into a short field-by-field message a person can act on, e.g.
 * `spec.http[0].route[0].weight: must be of type integer: "string"`. The CEL note "some
 * validation rules were not checked" is left out unless nothing else is wrong.
 */
export function describeCauses(causes: StatusCause[]): string {
  const real = causes.filter((c) => c.field !== NOT_CHECKED_FIELD);
  const shown = (real.length > 0 ? real : causes).slice(0, MAX_CAUSES_SHOWN).map(describeCause);
  const hidden = real.length - MAX_CAUSES_SHOWN;
  return shown.join('; ') + (hidden > 0 ? `; and ${hidden} more` : '');
}

function describeCause(cause: StatusCause): string {
  let problem = cause.message
    .replace(/^Invalid value: ("[^"]*"|\S+): /, '') // the value's type, which the field already implies
    .replace(/^Required value(: )?/, (_m, rest: string | undefined) => (rest ? '' : 'required'));
  if (cause.field && problem.startsWith(`${cause.field} in body `)) problem = problem.slice(cause.field.length + ' in body '.length);
  // CEL type errors end with the rule's own message, which is the part a person can act on.
  const rule = / evaluating rule: (.+)$/.exec(problem);
  if (rule?.[1]) problem = rule[1];
  return cause.field && cause.field !== NOT_CHECKED_FIELD ? `${cause.field}: ${problem}` : problem;
}

const firstLine = (text: string) => (text.split('\n', 1)[0] ?? '').slice(0, 200);

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
