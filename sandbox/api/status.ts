// Kubernetes Status objects and the error type every handler throws.

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason: string; message?: string; field?: string }[];
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
  504: 'Timeout',
};

/** Details as Go's omitempty serializes them: empty name and group are left out. */
export function details(
  name: string | undefined,
  group: string | undefined,
  kind: string,
  extra: Omit<StatusDetails, 'name' | 'group' | 'kind'> = {},
): StatusDetails {
  return { ...(name ? { name } : {}), ...(group ? { group } : {}), kind, ...extra };
}

/** An API failure: becomes a Status body with this HTTP code. */
export class StatusError extends Error {
  code: number;
  reason: string;
  details: StatusDetails | undefined;
  /** ListMeta of the Status (a 410 for an expired continue token carries a fresh one). */
  listMeta: { continue?: string } | undefined;

  constructor(code: number, message: string, reason?: string, details?: StatusDetails, listMeta?: { continue?: string }) {
    super(message);
    this.code = code;
    this.reason = reason ?? reasons[code] ?? 'Unknown';
    this.details = details;
    this.listMeta = listMeta;
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: this.listMeta ?? {},
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

const qualified = (resource: string, group: string) => (group ? `${resource}.${group}` : resource);

export const notFound = (resource: string, name: string, group: string) =>
  new StatusError(404, `${qualified(resource, group)} "${name}" not found`, 'NotFound', details(name, group, resource));

export const alreadyExists = (resource: string, name: string, group: string) =>
  new StatusError(409, `${qualified(resource, group)} "${name}" already exists`, 'AlreadyExists', details(name, group, resource));

/** 409 Conflict; `resource` is the plural, except in delete preconditions where kube-apiserver names the Kind. */
export const conflict = (resource: string, name: string, group: string, why: string) =>
  new StatusError(409, `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, 'Conflict', details(name, group, resource));

export function invalid(kind: string, group: string, name: string, causes: { field: string; message: string; reason?: string }[]): StatusError {
  const list = causes.map((c) => c.message);
  const message = `${qualified(kind, group)} "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
  return new StatusError(
    422,
    message,
    'Invalid',
    details(name, group, kind, {
      // As in kube-apiserver, a cause's message leaves out the field: clients print "field: message".
      causes: causes.map((c) => ({
        reason: c.reason ?? 'FieldValueInvalid',
        message: c.message.startsWith(`${c.field}: `) ? c.message.slice(c.field.length + 2) : c.message,
        field: c.field,
      })),
    }),
  );
}

export const badRequest = (message: string) => new StatusError(400, message, 'BadRequest');

/**
 * kube-apiserver's answer to a JSON patch that cannot be applied (failed test op, missing
 * path): the patch library's reason is dropped, clients get only this generic 422.
 */
export const patchNotApplicable = () => new StatusError(422, 'the server rejected our request due to an error in our request', 'Invalid', {});

export const unsupportedMediaType = (message: string) => new StatusError(415, message, 'UnsupportedMediaType');
