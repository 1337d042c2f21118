import { newEntry, recordAudit } from '@/lib/audit/audit';
import type { Action } from '@/lib/auth/roles';
import { impersonationFor, requireUser, type SessionUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import type { WriteOptions } from '@/lib/k8s/writes';
import type { JsonPatchOp } from '@/lib/mesh/patches';
import { readJsonBody } from './body';
import { requireSameOrigin } from './guards';

export interface AuditedResource {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** What a write did: the result to return, and what the audit entry needs. */
export interface WriteResult {
  item: unknown;
  patch: JsonPatchOp[];
  revert: JsonPatchOp[];
  summary: string;
  reason: string;
  resourceVersion?: string;
  /** The object actually written, when the target named it only approximately. */
  resource?: AuditedResource;
}

interface Target {
  resource: AuditedResource;
  action: string; // audit action, e.g. traffic.weights
  /** The object's current state, returned with a 409 so the page can show what changed. */
  current?: () => Promise<unknown>;
}

/**
 * The shared path of every write: same-origin check, role check (in the handler itself,
 * not only in front of it), bounded JSON body, the write (as the user when impersonation
 * is on), the audit entry in the cluster, and on a conflict the object's current state.
 */
export async function auditedWrite(request: Request, permission: Action, target: Target, write: (body: unknown, options: WriteOptions, user: SessionUser) => Promise<WriteResult>) {
  let user: SessionUser | undefined;
  let reason = '';
  const audit = (fields: Omit<Parameters<typeof newEntry>[0], 'user' | 'role' | 'action' | 'resource'>, resource = target.resource) =>
    recordAudit(newEntry({ user: user!.email ?? user!.name, role: user!.role ?? 'none', action: target.action, resource, ...fields }));
  try {
    requireSameOrigin(request);
    user = await requireUser(permission);
    const body = await readJsonBody(request);
    reason = typeof (body as { reason?: unknown })?.reason === 'string' ? (body as { reason: string }).reason : '';
    const result = await write(body, { impersonate: impersonationFor(user) }, user);
    await audit({ summary: result.summary, reason: result.reason, patch: result.patch, revert: result.revert, result: 'applied', resourceVersion: result.resourceVersion }, result.resource);
    return json({ item: result.item });
  } catch (error) {
    const apiError = error instanceof ApiError ? error : toApiError(error);
    // Refusals by the cluster (conflict, RBAC) are part of the trail too; bad input never reached it.
    if (user && reason && [403, 409].includes(apiError.status)) {
      await audit({ summary: 'not applied', reason, patch: [], result: 'failed', message: apiError.message }).catch(() => undefined);
    }
    if (apiError.status === 409 && target.current) {
      const current = await target.current().catch(() => undefined);
      return json({ error: { status: 409, reason: 'Conflict', message: `${apiError.message}. Review the current state and apply again.` }, current }, 409);
    }
    return errorResponse(error);
  }
}
