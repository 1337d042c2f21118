import { z } from 'zod';
import {
  blockingFindings,
  changesOfWrite,
  gateAnalysis,
  isBlocking,
  overrideRecord,
  refusalMessage,
  type GateAnalysis,
  type Override,
  type OverrideRecord,
} from '@/lib/analysis/gate';
import { kindOf } from '@/lib/analysis/kinds';
import { newEntry, recordAudit, type AuditRecording, type Change } from '@/lib/audit/audit';
import { checkReason } from '@/lib/audit/entry';
import { can, requiredRole, type Action } from '@/lib/auth/roles';
import { impersonationFor, requireUser, type SessionUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { clusterAnalysis } from '@/lib/k8s/analysis';
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

/**
 * What a preview answers: the object at the version the edit was based on, what the API server
 * says it would become, and what that does to the cluster's findings (lib/analysis/gate.ts).
 */
export interface PreviewAnswer {
  dryRun: true;
  before: unknown;
  after: unknown;
  summary: string;
  analysis: GateAnalysis;
}

/** A write the analysis gate refused: a 422 that carries the findings, so the page can show them. */
class GateRefusal extends ApiError {
  constructor(
    message: string,
    readonly analysis: GateAnalysis,
  ) {
    super(422, message, 'AnalysisGate');
  }
}

/** How long a write waits for the cluster's analysis (its first load after a start) before going on without it. */
const ANALYSIS_WAIT_MS = 5000;

/**
 * What the dry run's object does to the cluster's findings. Unavailable (and so not blocking)
 * when the analysis is still loading or fails: see GateAnalysis for why that lets the write on.
 */
async function analyzeWrite(preview: WritePreview): Promise<GateAnalysis> {
  const changes = changesOfWrite(preview.before, preview.after);
  if (changes.length === 0) return { unavailable: 'the dry run returned no object to analyze' };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiError(503, 'the cluster analysis is still loading')), ANALYSIS_WAIT_MS);
  });
  try {
    const analysis = await Promise.race([clusterAnalysis(), late]);
    const status = analysis.status();
    // Behind the cluster, the analysis could blame the change for what it has not seen yet (or miss it).
    if (!status.synced) return { unavailable: `the cluster analysis is not in sync with the cluster${status.lastError ? ` (${status.lastError})` : ''}` };
    // The changed object's findings now, so the gate also sees an existing error the change builds on.
    const changed = changes[0]!.object;
    const current = analysis.findingsFor(kindOf(changed), changed.metadata.namespace, changed.metadata.name);
    return gateAnalysis(analysis.preview(changes), { current, before: preview.before, after: preview.after });
  } catch (error) {
    if (error instanceof ApiError) return { unavailable: error.message };
    console.error('[gate] the cluster analysis failed:', error);
    return { unavailable: 'the cluster analysis failed (see the server log)' };
  } finally {
    clearTimeout(timer);
  }
}

/** An admin's override of a blocking analysis, as the request carries it. */
const overrideSchema = z.strictObject(
  {
    reason: z
      .string({ error: 'override.reason: say why this change must go in despite its findings' })
      .trim()
      .min(3, 'override.reason: say why this change must go in despite its findings (at least 3 characters)')
      .max(500, 'override.reason: at most 500 characters'),
  },
  { error: 'override is { reason: "why this change must go in despite its findings" }' },
);

/** The body without its `override` (the write's own schema knows nothing of it), and the override checked. */
function splitOverride(body: unknown): { body: unknown; override?: Override } {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('override' in body)) return { body };
  const { override, ...rest } = body as { override: unknown };
  return { body: rest, override: overrideSchema.parse(override) };
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
 * not only in front of it), bounded JSON body, the analysis gate, the write (as the user when
 * impersonation is on), the audit entry in the cluster, and on a conflict the object's current
 * state. A write that applied answers 200 even when its entry could not be stored yet
 * (`audit.status: 'pending'`, retried in the background); a refusal by the cluster (403, 409)
 * or by the gate (422) is recorded as a failed entry.
 *
 * With `?dryRun=true` the same checks and the same patch run with the API server's dry run
 * (nothing is stored) and the answer is a PreviewAnswer. A preview writes no audit entry: the
 * trail records changes and refused attempts at one, and a preview is neither (a person may
 * review many drafts before applying one).
 *
 * The gate: a real write first runs as that same dry run (same patch, same resourceVersion),
 * and the object it would store is analyzed with the cluster (lib/analysis/gate.ts). A change
 * that adds an Error-level finding, or starts sending traffic to a destination that has one,
 * answers 422 with the analysis and writes nothing, unless the body carries
 * `override: { reason }` from an admin: then it applies and the entry records the override.
 * An override from anyone else is a 403, needed or not (the page offers it to admins only).
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
  /** What the refused change would have done (known once its dry run ran), for the failed entry. */
  let attempted = 'not applied';
  try {
    requireSameOrigin(request);
    user = await requireUser(permission);
    preview = isPreview(request);
    const { body, override } = splitOverride(await readJsonBody(request));
    reason = reasonOf(body);
    if (override && !can(user.role ?? undefined, 'analysis:override')) {
      throw new ApiError(
        403,
        `Overriding the analysis of a change needs the ${requiredRole('analysis:override')} role (yours: ${user.role ?? 'none'}): change the draft so it adds no Error-level finding, or ask an admin`,
        'Forbidden',
      );
    }
    const dryRun: WritePreview = {};
    const tried = await write(body, { impersonate: impersonationFor(user), dryRun }, user);
    attempted = tried.summary;
    const analysis = await analyzeWrite(dryRun);
    if (preview) return json({ dryRun: true, before: dryRun.before, after: dryRun.after, summary: tried.summary, analysis } satisfies PreviewAnswer);
    let overridden: OverrideRecord | undefined;
    if (isBlocking(analysis)) {
      if (!override) throw new GateRefusal(refusalMessage(analysis), analysis);
      overridden = overrideRecord(override, blockingFindings(analysis));
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
        override: overridden,
      },
      result.resource,
    );
    return json({ item: result.item, audit: outcome(recording), ...(overridden ? { override: overridden } : {}) });
  } catch (error) {
    const apiError = error instanceof ApiError ? error : toApiError(error);
    // Refusals by the cluster (conflict, RBAC) and by the gate are part of the trail too; bad input never reached it.
    const refusedByGate = error instanceof GateRefusal;
    let audited: AuditOutcome | undefined;
    if (user && reason && !preview && ([403, 409].includes(apiError.status) || refusedByGate)) {
      audited = outcome(
        await audit({ summary: refusedByGate ? `not applied: ${attempted}` : 'not applied', reason, result: 'failed', message: apiError.message }),
      );
    }
    if (refusedByGate) {
      const { status, reason: why, message } = error;
      return json({ error: { status, reason: why, message }, analysis: error.analysis, ...(audited ? { audit: audited } : {}) }, status);
    }
    // A conflict with the object's state comes with that state; another refusal (a controller not armed) says its own reason.
    if (apiError.status === 409 && apiError.reason === 'Conflict' && target.current) {
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
