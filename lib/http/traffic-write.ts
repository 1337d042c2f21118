import { newEntry, recordAudit } from '@/lib/audit/audit';
import { impersonationFor, requireUser, type SessionUser } from '@/lib/auth/session';
import type { Action } from '@/lib/auth/roles';
import { errorResponse, json } from '@/lib/http/responses';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import type { WriteOptions } from '@/lib/k8s/writes';
import { freshView, type AppliedChange } from '@/lib/k8s/virtual-services';
import { readJsonBody } from './body';
import { requireSameOrigin } from './guards';

interface Target {
  namespace: string;
  name: string;
  action: string; // audit action, e.g. traffic.weights
}

/**
 * The shared path of every VirtualService write: same-origin check, role check (in the
 * handler, not only in front of it), bounded JSON body, the write (as the user when
 * impersonation is on), the audit entry, and on a conflict the object's current state.
 */
export async function auditedWrite(request: Request, permission: Action, target: Target, write: (body: unknown, options: WriteOptions, user: SessionUser) => Promise<AppliedChange & { reason: string }>) {
  let user: SessionUser | undefined;
  let reason = '';
  try {
    requireSameOrigin(request);
    user = await requireUser(permission);
    const body = await readJsonBody(request);
    reason = typeof (body as { reason?: unknown })?.reason === 'string' ? (body as { reason: string }).reason : '';
    const change = await write(body, { impersonate: impersonationFor(user) }, user);
    await recordAudit(
      newEntry({
        user: user.email ?? user.name,
        role: user.role ?? 'none',
        action: target.action,
        resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: target.namespace, name: target.name },
        summary: change.summary,
        reason: change.reason,
        patch: change.patch,
        revert: change.revert,
        result: 'applied',
        resourceVersion: change.view.resourceVersion,
      }),
    );
    return json({ item: change.view });
  } catch (error) {
    const apiError = error instanceof ApiError ? error : toApiError(error);
    // Refusals by the cluster (conflict, RBAC) are part of the trail too; bad input never reached it.
    if (user && reason && [403, 409].includes(apiError.status)) {
      await recordAudit(
        newEntry({ user: user.email ?? user.name, role: user.role ?? 'none', action: target.action, resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: target.namespace, name: target.name }, summary: 'not applied', reason, patch: [], result: 'failed', message: apiError.message }),
      ).catch(() => undefined);
    }
    if (apiError.status === 409) {
      const current = await freshView(target.namespace, target.name).catch(() => undefined);
      return json({ error: { status: 409, reason: 'Conflict', message: `${apiError.message}. Review the current state and apply again.` }, current }, 409);
    }
    return errorResponse(error);
  }
}
