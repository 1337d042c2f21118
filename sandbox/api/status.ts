// Kubernetes Status objects and the error type every handler throws.

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field?: string }[];
  retryAfterSeconds?: number;
}

const reasons: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
};

/** An API failure: becomes a Status body with this HTTP code. */
export class StatusError extends Error {
  code: number;
  reason: string;
  details: StatusDetails | undefined;

  constructor(code: number, message: string, reason?: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason ?? reasons[code] ?? 'Unknown';
    this.details = details;
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export function successStatus(details?: StatusDetails): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}) };
}

export const notFound = (resource: string, name: string, group: string) =>
  new StatusError(404, `${resource}${group ? `.${group}` : ''} "${name}" not found`, 'NotFound', { name, group, kind: resource });

export const alreadyExists = (resource: string, name: string, group: string) =>
  new StatusError(409, `${resource}${group ? `.${group}` : ''} "${name}" already exists`, 'AlreadyExists', { name, group, kind: resource });

export const conflict = (resource: string, name: string, group: string, why: string) =>
  new StatusError(409, `Operation cannot be fulfilled on ${resource}${group ? `.${group}` : ''} "${name}": ${why}`, 'Conflict', { name, group, kind: resource });

export function invalid(kind: string, group: string, name: string, causes: { field: string; message: string; reason?: string }[]): StatusError {
  const qualified = group ? `${kind}.${group}` : kind;
  const list = causes.map((c) => c.message);
  const message = `${qualified} "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
  return new StatusError(422, message, 'Invalid', {
    name,
    group,
    kind,
    // As in kube-apiserver, a cause's message leaves out the field: clients print "field: message".
    causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message.startsWith(`${c.field}: `) ? c.message.slice(c.field.length + 2) : c.message, field: c.field })),
  });
}

export const badRequest = (message: string) => new StatusError(400, message, 'BadRequest');
