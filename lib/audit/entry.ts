// What an audit entry is, checked rather than trusted: a zod schema for entries read back
// from the cluster, the before/after values of exactly the paths a change touched, and the
// inverse patch recomputed from those values for the few change shapes Meshdeck produces.
// Pure: no I/O, so every rule here is unit-tested.
import { z } from 'zod';
import { DNS_1123_LABEL, DNS_1123_LABEL_MAX, DNS_1123_SUBDOMAIN, DNS_1123_SUBDOMAIN_MAX } from '@/lib/mesh/names';
import type { JsonPatchOp } from '@/lib/mesh/patches';

export const REASON_LIMIT = 500;
const RESOURCE_VERSION = '/metadata/resourceVersion';

/**
 * A value at a path: present with its JSON value, absent, or described in words (a value too big
 * to copy into the trail, e.g. a rollout's whole state: the object keeps it). Only a value or an
 * absence can be set back, so a described change is never revertible.
 */
const slot = z.union([z.strictObject({ value: z.json() }), z.strictObject({ absent: z.literal(true) }), z.strictObject({ described: z.string().max(500) })]);
export type Slot = z.infer<typeof slot>;

const change = z.strictObject({
  path: z
    .string()
    .regex(/^(\/[^/]*)+$/, 'is not a JSON pointer')
    .max(500),
  /** What the path is to a person ("canary weight", "rollout"), shown instead of the pointer. */
  label: z.string().max(200).optional(),
  /** Missing when the change's builder did not say what was there before: never revertible. */
  before: slot.optional(),
  after: slot.optional(),
});
export type Change = z.infer<typeof change>;

export const resourceSchema = z.strictObject({
  apiVersion: z.string().max(100),
  kind: z.string().regex(/^[A-Z][A-Za-z0-9]{0,62}$/),
  namespace: z.string().regex(DNS_1123_LABEL).max(DNS_1123_LABEL_MAX),
  name: z.string().regex(DNS_1123_SUBDOMAIN).max(DNS_1123_SUBDOMAIN_MAX),
});
export type AuditResource = z.infer<typeof resourceSchema>;

/** An entry as Meshdeck writes it (format 2): one ConfigMap each, signed. */
export const entrySchema = z.strictObject({
  format: z.literal(2),
  id: z.uuid(),
  time: z.iso.datetime(),
  user: z.string().min(1).max(320),
  role: z.string().max(40),
  action: z.string().regex(/^[a-z][a-z0-9.-]{0,99}$/),
  resource: resourceSchema,
  summary: z.string().max(2000),
  reason: z.string().max(REASON_LIMIT),
  result: z.enum(['applied', 'failed']),
  message: z.string().max(2000).optional(),
  /** The object's resourceVersion after the change: the precondition of its revert. */
  resourceVersion: z.string().max(64).optional(),
  changes: z.array(change).max(64),
  /** On a revert: the id of the entry it reverted. */
  revertOf: z.uuid().optional(),
  /** An admin applied the change although the analysis found it adds Error-level findings: why, and which. */
  override: z
    .strictObject({
      reason: z.string().max(REASON_LIMIT),
      findings: z
        .array(z.strictObject({ code: z.string().max(20), message: z.string().max(500), origin: z.string().max(400), path: z.string().max(300).optional() }))
        .max(20),
    })
    .optional(),
  /** HMAC-SHA256 (hex) over the canonical content; missing when signing is off. */
  signature: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type AuditEntry = z.infer<typeof entrySchema>;
export type UnsignedEntry = Omit<AuditEntry, 'signature'>;

/** The single-ConfigMap history of earlier versions (`meshdeck-audit`, key entries.json). */
export const legacyEntrySchema = z.object({
  id: z.string().max(100),
  time: z.string().max(40),
  user: z.string().max(320),
  role: z.string().max(40),
  action: z.string().max(100),
  resource: z.object({ apiVersion: z.string().max(100), kind: z.string().max(63), namespace: z.string().max(63), name: z.string().max(253) }),
  summary: z.string().max(2000),
  reason: z.string().max(60_000),
  result: z.enum(['applied', 'failed']),
  message: z.string().max(2000).optional(),
  resourceVersion: z.string().max(64).optional(),
});

/** JSON with object keys sorted at every level: the bytes a signature covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Trims a reason and refuses one over the limit (the caller answers 400 with this message).
 * Returns the trimmed reason.
 */
export function checkReason(reason: string): { reason: string; error?: string } {
  const trimmed = reason.trim();
  if (trimmed.length > REASON_LIMIT)
    return {
      reason: trimmed.slice(0, REASON_LIMIT),
      error: `reason: at most ${REASON_LIMIT} characters (this one has ${trimmed.length}); say why in a sentence or two`,
    };
  return { reason: trimmed };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');
const isWithin = (path: string, ancestor: string) => path.startsWith(`${ancestor}/`);

/** The value an op leaves at `path`: exactly there, or inside an object it sets on an ancestor. */
function valueLeftAt(ops: JsonPatchOp[], path: string): Slot | undefined {
  // The last op that decides the path wins, as in applying the patch.
  for (const op of [...ops].reverse()) {
    if (op.op === 'test') continue;
    if (op.path === path) return op.op === 'remove' ? { absent: true } : { value: op.value as z.infer<ReturnType<typeof z.json>> };
    if (isWithin(path, op.path)) {
      if (op.op === 'remove') return { absent: true };
      let node: unknown = op.value;
      for (const token of path
        .slice(op.path.length + 1)
        .split('/')
        .map(unescape)) {
        if (!isObject(node) || !(token in node)) return { absent: true };
        node = node[token];
      }
      return { value: node as z.infer<ReturnType<typeof z.json>> };
    }
  }
  return undefined;
}

/** Whether the inverse's ops cover everything `op` changed. */
function covered(op: JsonPatchOp, inversePaths: string[]): boolean {
  if (inversePaths.some((p) => p === op.path || isWithin(op.path, p))) return true;
  // An object added whole (e.g. the annotations) is undone key by key.
  return (
    op.op !== 'remove' &&
    isObject(op.value) &&
    Object.keys(op.value).length > 0 &&
    Object.entries(op.value).every(([key, value]) =>
      covered({ op: 'add', path: `${op.path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value }, inversePaths),
    )
  );
}

/**
 * The before/after values of exactly the paths a change touched, from the patch Meshdeck
 * applied and the inverse its builder computed (resourceVersion and `test` ops left out).
 * A path the inverse does not cover is recorded without `before`: never revertible.
 */
export function changesOf(patch: JsonPatchOp[], inverse: JsonPatchOp[] = []): Change[] {
  const writes = (ops: JsonPatchOp[]) => ops.filter((op) => op.op !== 'test' && op.path !== RESOURCE_VERSION);
  const forward = writes(patch);
  const backward = writes(inverse);
  const inversePaths = backward.map((op) => op.path);
  const changes: Change[] = backward.map((op) => ({
    path: op.path,
    before: op.op === 'remove' ? { absent: true } : { value: op.value as z.infer<ReturnType<typeof z.json>> },
    after: valueLeftAt(forward, op.path),
  }));
  for (const op of forward) if (!covered(op, inversePaths)) changes.push({ path: op.path, after: valueLeftAt(forward, op.path) });
  return changes;
}

/** The kinds Meshdeck writes, the only ones a revert may touch. */
export const REVERTIBLE_KINDS = ['VirtualService', 'DestinationRule', 'PeerAuthentication', 'EnvoyFilter'] as const;

interface PathRule {
  pattern: RegExp;
  before: z.ZodType;
  after: z.ZodType;
}

const weight = z.number().int().min(0).max(100);
const duration = z.string().regex(/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/);
const jsonObject = z.record(z.string(), z.json());
const mtlsBefore = z.enum(['STRICT']);
const bucketValue = z.union([z.number().int().min(0).max(1_000_000_000), z.string().regex(/^\d+$/), duration]);
const annotation = /^\/metadata\/annotations\/meshdeck\.io~1emergency-[a-z-]+$/;

/**
 * For each action whose changes can be reverted: the kind it writes and, for every path it
 * may change, the values it may hold before and after. A revert outside these shapes is
 * refused, whatever the entry says.
 */
const REVERT_SHAPES: Record<string, { kind: (typeof REVERTIBLE_KINDS)[number]; paths: PathRule[] }> = {
  'traffic.weights': { kind: 'VirtualService', paths: [{ pattern: /^\/spec\/http\/\d{1,3}\/route\/\d{1,3}\/weight$/, before: weight, after: weight }] },
  'traffic.match': {
    kind: 'VirtualService',
    paths: [{ pattern: /^\/spec\/http\/\d{1,3}\/match$/, before: z.array(jsonObject).max(50), after: z.array(jsonObject).max(50) }],
  },
  'resilience.route': {
    kind: 'VirtualService',
    paths: [
      { pattern: /^\/spec\/http\/\d{1,3}\/timeout$/, before: duration, after: duration },
      { pattern: /^\/spec\/http\/\d{1,3}\/retries$/, before: jsonObject, after: jsonObject },
    ],
  },
  'resilience.policy': { kind: 'DestinationRule', paths: [{ pattern: /^\/spec\/(subsets\/\d{1,3}\/)?trafficPolicy$/, before: jsonObject, after: jsonObject }] },
  'security.rate-limit': {
    kind: 'EnvoyFilter',
    paths: [
      {
        pattern: /^\/spec\/configPatches\/\d{1,3}\/patch\/value(\/[^/]+)*\/(max_tokens|tokens_per_fill|fill_interval|maxTokens|tokensPerFill|fillInterval)$/,
        before: bucketValue,
        after: bucketValue,
      },
    ],
  },
  // Undoing an emergency PERMISSIVE puts STRICT (or no mode) back: never anything weaker.
  'security.emergency-start': {
    kind: 'PeerAuthentication',
    paths: [
      { pattern: /^\/spec\/mtls\/mode$/, before: mtlsBefore, after: z.literal('PERMISSIVE') },
      { pattern: annotation, before: z.never(), after: z.string().max(1000) },
    ],
  },
};

/** Why an entry cannot be reverted, or undefined when its inverse may be computed. */
export function revertRefusal(entry: AuditEntry, namespace: string): string | undefined {
  if (entry.resource.namespace !== namespace) return `the entry is about ${entry.resource.namespace}, not ${namespace}`;
  if (entry.result !== 'applied') return 'the change was not applied';
  // Replaying a rollout's write backwards would fight the rollout: its controller pauses on weights
  // it did not write, and an older state would repeat steps. The rollout's own controls undo it.
  if (entry.action.startsWith('rollout.'))
    return `a rollout is steered with its own controls, not reverted from the audit trail: Pause, Abort (back to the stable split) or Resume on the rollout's page`;
  const shape = REVERT_SHAPES[entry.action];
  if (!shape) return `${entry.action} changes are not reverted from the audit trail`;
  if (entry.resource.kind !== shape.kind) return `a ${entry.action} change is about a ${shape.kind}, not a ${entry.resource.kind}`;
  if (!entry.resourceVersion) return 'the entry does not say which version the change produced';
  if (entry.changes.length === 0) return 'the change changed nothing';
  for (const c of entry.changes) {
    const rule = shape.paths.find((p) => p.pattern.test(c.path));
    if (!rule) return `${c.path} is not a path ${entry.action} changes`;
    if (!c.before || !c.after || 'described' in c.before || 'described' in c.after) return `the entry does not record what ${c.path} held before and after`;
    if ('value' in c.before && !rule.before.safeParse(c.before.value).success)
      return `${c.path} cannot be set back to ${JSON.stringify(c.before.value).slice(0, 80)}`;
    if ('value' in c.after && !rule.after.safeParse(c.after.value).success)
      return `${c.path} never holds ${JSON.stringify(c.after.value).slice(0, 80)} after ${entry.action}`;
  }
  return undefined;
}

/**
 * The inverse of an entry's change, computed from its before/after values: the version the
 * change produced as precondition, a `test` that each path still holds what the change left,
 * then each path set back. Call only after `revertRefusal` returned undefined.
 */
export function inversePatch(entry: AuditEntry): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [{ op: 'replace', path: RESOURCE_VERSION, value: entry.resourceVersion }];
  for (const c of entry.changes) {
    const after = c.after!;
    const before = c.before!;
    if ('value' in after) ops.push({ op: 'test', path: c.path, value: after.value });
    if ('value' in before) ops.push({ op: 'value' in after ? 'replace' : 'add', path: c.path, value: before.value });
    else if ('value' in after) ops.push({ op: 'remove', path: c.path });
  }
  return ops;
}

/** The changes a revert makes: each path's after and before swapped. */
export const swapped = (changes: Change[]): Change[] => changes.map((c) => ({ path: c.path, before: c.after, after: c.before }));
