import { z } from 'zod';
import { newEntry, recordAudit, type AuditRecording, type Change } from '@/lib/audit/audit';
import { checkReason } from '@/lib/audit/entry';
import type { Action } from '@/lib/auth/roles';
import { impersonationFor, requireUser, type SessionUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import type { WriteOptions, WritePreview } from '@/lib/k8s/writes';
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
  /** The inverse the builder computed: the entry keeps each path's before value from it. */
  revert: JsonPatchOp[];
  summary: string;
  reason: string;
  resourceVersion?: string;
  /** The object actually written, when the target named it only approximately. */
  resource?: AuditedResource;
  /** Before/after values, when the write has them already (a revert); else from patch and revert. */
  changes?: Change[];
  /** The audit entry this write reverts. */
  revertOf?: string;
}

interface Target {
  resource: AuditedResource;
  action: string; // audit action, e.g. traffic.weights
  /** The object's current state, returned with a 409 so the page can show what changed. */
  current?: () => Promise<unknown>;
}

/** How the audit went, beside the result: `pending` means applied, but the entry is not stored yet. */
export type AuditOutcome = { status: 'recorded'; id: string } | { status: 'pending'; id: string; message: string };

const outcome = (recording: AuditRecording): AuditOutcome =>
  recording.recorded
    ? { status: 'recorded', id: recording.id }
    : { status: 'pending', id: recording.id, message: `applied; audit pending: ${recording.pending}` };

/** `?dryRun=true` asks for a preview of the write (any other value is a 400, not a silent real write). */
const previewQuery = z.object({ dryRun: z.enum(['true', 'false'], { error: 'dryRun is true (preview the change) or false (apply it)' }).optional() });

const isPreview = (request: Request) => previewQuery.parse(Object.fromEntries(new URL(request.url).searchParams)).dryRun === 'true';

/** What a preview answers: the object at the version the edit was based on, and what the API server says it would become. */
export interface PreviewAnswer {
  dryRun: true;
  before: unknown;
  after: unknown;
  summary: string;
}

/** The request's reason, trimmed; a reason over the limit is refused before anything is written. */
function reasonOf(body: unknown): string {
  const raw = (body as { reason?: unknown } | null)?.reason;
  if (typeof raw !== 'string') return '';
  const { reason, error } = checkReason(raw);
  if (error) throw new ApiError(400, error, 'BadRequest');
  return reason;
}

/**
 * The shared path of every write: same-origin check, role check (in the handler itself,
 * not only in front of it), bounded JSON body, the write (as the user when impersonation
 * is on), the audit entry in the cluster, and on a conflict the object's current state.
 * A write that applied answers 200 even when its entry could not be stored yet
 * (`audit.status: 'pending'`, retried in the background); a refusal by the cluster (403, 409)
 * is recorded as a failed entry.
 *
 * With `?dryRun=true` the same checks and the same patch run with the API server's dry run
 * (nothing is stored) and the answer is a PreviewAnswer. A preview writes no audit entry: the
 * trail records changes and refused attempts at one, and a preview is neither (a person may
 * review many drafts before applying one).
 */
export async function auditedWrite(
  request: Request,
  permission: Action,
  target: Target,
  write: (body: unknown, options: WriteOptions, user: SessionUser) => Promise<WriteResult>,
) {
  let user: SessionUser | undefined;
  let reason = '';
  const audit = (fields: Omit<Parameters<typeof newEntry>[0], 'user' | 'role' | 'action' | 'resource'>, resource = target.resource) =>
    recordAudit(newEntry({ user: user!.email ?? user!.name, role: user!.role ?? 'none', action: target.action, resource, ...fields }));
  let preview = false;
  try {
    requireSameOrigin(request);
    user = await requireUser(permission);
    preview = isPreview(request);
    const body = await readJsonBody(request);
    reason = reasonOf(body);
    if (preview) {
      const dryRun: WritePreview = {};
      const result = await write(body, { impersonate: impersonationFor(user), dryRun }, user);
      return json({ dryRun: true, before: dryRun.before, after: dryRun.after, summary: result.summary } satisfies PreviewAnswer);
    }
    const result = await write(body, { impersonate: impersonationFor(user) }, user);
    const recording = await audit(
      {
        summary: result.summary,
        reason: result.reason,
        patch: result.patch,
        revert: result.revert,
        changes: result.changes,
        revertOf: result.revertOf,
        result: 'applied',
        resourceVersion: result.resourceVersion,
      },
      result.resource,
    );
    return json({ item: result.item, audit: outcome(recording) });
  } catch (error) {
    const apiError = error instanceof ApiError ? error : toApiError(error);
    // Refusals by the cluster (conflict, RBAC) are part of the trail too; bad input never reached it.
    let audited: AuditOutcome | undefined;
    if (user && reason && !preview && [403, 409].includes(apiError.status)) {
      audited = outcome(await audit({ summary: 'not applied', reason, result: 'failed', message: apiError.message }));
    }
    if (apiError.status === 409 && target.current) {
      const current = await target.current().catch(() => undefined);
      return json(
        {
          error: { status: 409, reason: 'Conflict', message: `${apiError.message}. Review the current state and apply again.` },
          current,
          ...(audited ? { audit: audited } : {}),
        },
        409,
      );
    }
    return errorResponse(error);
  }
}
