// Every change Meshdeck makes, recorded in the cluster itself: an Event on the object, and one
// signed ConfigMap per entry in the object's namespace (append-only: writers never contend),
// read back through a label-selected watch cache and checked before anything trusts it.
import { randomUUID } from 'node:crypto';
import { cacheFor } from '@/lib/k8s/caches';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import { kubeRequest } from '@/lib/k8s/http';
import { collectionPath, configMaps } from '@/lib/k8s/resources';
import type { JsonPatchOp } from '@/lib/mesh/patches';
import { changesOf, checkReason, entrySchema, legacyEntrySchema, revertRefusal, type AuditEntry, type Change, type UnsignedEntry } from './entry';
import { signEntry, signingKey, verifyEntry, type SigningState } from './signing';

export type { AuditEntry, AuditResource, Change } from './entry';

/** The single history ConfigMap of earlier versions, still read (as legacy entries). */
export const AUDIT_CONFIGMAP = 'meshdeck-audit';
export const ENTRY_NAME_PREFIX = 'meshdeck-audit-';
export const ENTRY_LABEL = 'meshdeck.io/audit';
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Every object of the trail (entries and the legacy history) carries this label. */
export const AUDIT_SELECTOR = `${MANAGED_BY}=meshdeck`;
const ENTRY_KEY = 'entry.json';
const LEGACY_KEY = 'entries.json';

export interface AuditConfigMap {
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string; creationTimestamp?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

/** What the Audit page may rely on about an entry. */
export type Trust = 'signed' | 'untrusted' | 'invalid' | 'legacy' | 'pending';

/** An entry as the Audit page shows it: its content (as far as it could be read) and its standing. */
export interface AuditView extends Omit<AuditEntry, 'format' | 'signature'> {
  trust: Trust;
  /** Why the entry has this standing, in a sentence. */
  trustNote: string;
  revertible: boolean;
  /** Why it cannot be reverted (when it cannot and it was a change). */
  notRevertible?: string;
  /** Who reverted it and when, from the signed revert entry. */
  revertedBy?: string;
  /** Where it is stored: `namespace/ConfigMap`. */
  source: string;
}

/** The fields a caller gives; the patch and its inverse become before/after values. */
export interface NewEntryFields extends Omit<AuditEntry, 'format' | 'signature' | 'id' | 'time' | 'changes'> {
  patch?: JsonPatchOp[];
  /** The inverse the change's builder computed; only its paths and values are kept. */
  revert?: JsonPatchOp[];
  /** The before/after values, when the caller has them already (a revert). */
  changes?: Change[];
}

/** A new unsigned entry: reason trimmed and capped, texts bounded, changes as before/after values. */
export function newEntry(fields: NewEntryFields): UnsignedEntry {
  const { patch, revert, changes, ...rest } = fields;
  return {
    ...rest,
    format: 2,
    id: randomUUID(),
    time: new Date().toISOString(),
    user: fields.user.slice(0, 320) || 'unknown',
    reason: checkReason(fields.reason).reason,
    summary: fields.summary.slice(0, 2000),
    ...(fields.message !== undefined ? { message: fields.message.slice(0, 2000) } : {}),
    changes: changes ?? changesOf(patch ?? [], revert),
  };
}

/** The ConfigMap name of an entry: sortable by time, unique by id. */
export function entryObjectName(entry: Pick<AuditEntry, 'time' | 'id'>): string {
  return `${ENTRY_NAME_PREFIX}${entry.time.replace(/[-:.]/g, '').toLowerCase()}-${entry.id}`;
}

function entryObject(entry: AuditEntry) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: entryObjectName(entry),
      namespace: entry.resource.namespace,
      labels: { [MANAGED_BY]: 'meshdeck', [ENTRY_LABEL]: 'entry', 'meshdeck.io/audit-result': entry.result },
    },
    data: { [ENTRY_KEY]: JSON.stringify(entry) },
  };
}

async function createEntryObject(entry: AuditEntry): Promise<void> {
  try {
    await kubeRequest({
      method: 'POST',
      path: collectionPath(configMaps, entry.resource.namespace),
      body: entryObject(entry),
      query: { fieldManager: 'meshdeck' },
    });
  } catch (error) {
    // An earlier attempt that timed out after the API stored it: the entry is there.
    if (toApiError(error).reason === 'AlreadyExists') return;
    throw error;
  }
}

async function recordEvent(entry: AuditEntry): Promise<void> {
  const { resource } = entry;
  const now = entry.time.replace(/\.\d+Z$/, 'Z');
  await kubeRequest({
    method: 'POST',
    path: `/api/v1/namespaces/${encodeURIComponent(resource.namespace)}/events`,
    body: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${resource.name}.meshdeck-${entry.id.slice(0, 8)}`, namespace: resource.namespace, annotations: { 'meshdeck.io/audit-id': entry.id } },
      involvedObject: {
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        namespace: resource.namespace,
        name: resource.name,
        resourceVersion: entry.resourceVersion,
      },
      reason: entry.result === 'applied' ? 'MeshdeckChange' : 'MeshdeckChangeFailed',
      message: `${entry.user} (${entry.role}) ${entry.action}: ${entry.summary}. Reason: ${entry.reason}${entry.message ? `. ${entry.message}` : ''}`.slice(
        0,
        1024,
      ),
      type: entry.result === 'applied' ? 'Normal' : 'Warning',
      source: { component: 'meshdeck' },
      reportingComponent: 'meshdeck',
      reportingInstance: 'meshdeck',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    },
  });
}

/** The outcome of recording: stored, or kept in this replica and retried (audit pending). */
export type AuditRecording = { recorded: true; id: string } | { recorded: false; id: string; pending: string };

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
}
const IMMEDIATE: RetryOptions = { attempts: 4, baseDelayMs: 100 };
const PENDING_LIMIT = 1000;
const PENDING_MAX_DELAY_MS = 60_000;

// Full jitter: concurrent writers that failed together do not retry together.
const backoff = (attempt: number, baseMs: number, capMs = PENDING_MAX_DELAY_MS) => Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Bad input or no permission does not heal by itself; the pending queue still retries (RBAC may be fixed).
const retriesSoon = (error: ApiError) => error.status >= 500 || error.status === 429 || error.status === 409 || error.status === 0;

async function storeWithRetries(entry: AuditEntry, retry: RetryOptions): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await createEntryObject(entry);
    } catch (error) {
      const apiError = toApiError(error);
      if (attempt + 1 >= retry.attempts || !retriesSoon(apiError)) throw apiError;
      await sleep(backoff(attempt, retry.baseDelayMs));
    }
  }
}

interface Pending {
  entry: AuditEntry;
  attempts: number;
  lastError: string;
  timer?: NodeJS.Timeout;
}
const pendingKey = Symbol.for('meshdeck.auditPending');
type WithPending = typeof globalThis & { [pendingKey]?: Map<string, Pending> };
const pendingEntries = () => ((globalThis as WithPending)[pendingKey] ??= new Map());

function schedulePending(item: Pending): void {
  item.timer = setTimeout(
    async () => {
      try {
        await createEntryObject(item.entry);
        pendingEntries().delete(item.entry.id);
        console.warn(`[audit] pending entry ${item.entry.id} recorded after ${item.attempts + 1} more attempts`);
      } catch (error) {
        item.attempts++;
        item.lastError = toApiError(error).message;
        schedulePending(item);
      }
    },
    backoff(item.attempts + 3, 1000),
  );
  item.timer.unref();
}

function keepPending(entry: AuditEntry, error: ApiError): string {
  const queue = pendingEntries();
  if (queue.size >= PENDING_LIMIT) {
    const [oldest] = queue.values();
    if (oldest) {
      clearTimeout(oldest.timer);
      queue.delete(oldest.entry.id);
      console.error(`[audit] dropped pending entry ${oldest.entry.id} (${PENDING_LIMIT} pending): ${JSON.stringify(oldest.entry)}`);
    }
  }
  const item: Pending = { entry, attempts: 0, lastError: error.message };
  queue.set(entry.id, item);
  schedulePending(item);
  console.error(`[audit] entry ${entry.id} not recorded yet (${error.message}); retrying in the background`);
  return `the audit entry is not stored yet (${error.message}); this replica keeps retrying`;
}

/**
 * Records an entry: signs it, stores it as its own ConfigMap (retried with backoff and jitter)
 * and adds an Event on the object (best effort). Never throws: an entry that cannot be stored
 * yet stays pending in this replica, retried in the background, and the caller says so.
 */
export async function recordAudit(unsigned: UnsignedEntry, retry: RetryOptions = IMMEDIATE): Promise<AuditRecording> {
  const entry = signEntry(unsigned);
  const event = recordEvent(entry).catch((error) => console.warn(`[audit] no Event for ${entry.id}: ${toApiError(error).message}`));
  try {
    await storeWithRetries(entry, retry);
    return { recorded: true, id: entry.id };
  } catch (error) {
    return { recorded: false, id: entry.id, pending: keepPending(entry, toApiError(error)) };
  } finally {
    await event;
  }
}

/** How many entries this replica still has to store. */
export const pendingCount = () => pendingEntries().size;

function view(entry: AuditEntry, trust: Trust, trustNote: string, source: string): AuditView {
  const { signature: _signature, format: _format, ...content } = entry;
  const refusal = trust === 'signed' ? revertRefusal(entry, entry.resource.namespace) : `the entry is ${trust}: only signed entries are reverted`;
  return { ...content, trust, trustNote, revertible: !refusal, ...(refusal && entry.result === 'applied' ? { notRevertible: refusal } : {}), source };
}

function invalid(map: AuditConfigMap, problem: string): AuditView {
  const { name, namespace, creationTimestamp } = map.metadata;
  return {
    id: name,
    time: creationTimestamp ?? '',
    user: 'unknown',
    role: '',
    action: 'unknown',
    resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace, name },
    summary: 'unreadable entry',
    reason: '',
    result: 'failed',
    changes: [],
    trust: 'invalid',
    trustNote: `not a valid audit entry: ${problem}`.slice(0, 500),
    revertible: false,
    source: `${namespace}/${name}`,
  };
}

const describeIssues = (issues: { path: PropertyKey[]; message: string }[]) =>
  issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'entry'}: ${i.message}`)
    .join('; ');

function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}

/** Reads one entry ConfigMap: checked against the schema, its place and its signature. */
export function readEntryObject(map: AuditConfigMap, keyed = signingKey()): AuditView {
  const { name, namespace } = map.metadata;
  const source = `${namespace}/${name}`;
  let raw: unknown;
  try {
    raw = JSON.parse(map.data?.[ENTRY_KEY] ?? '');
  } catch {
    return invalid(map, `${ENTRY_KEY} is missing or not JSON`);
  }
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) return invalid(map, describeIssues(parsed.error.issues));
  const entry = parsed.data;
  // A signed entry copied to another namespace or name is someone else's write.
  if (entry.resource.namespace !== namespace)
    return view(entry, 'untrusted', `stored in ${namespace} but about ${entry.resource.namespace}: copied by someone else`, source);
  if (name !== entryObjectName(entry))
    return view(entry, 'untrusted', `stored as ${name}, not under the name Meshdeck gives it: copied by someone else`, source);
  if (!entry.signature)
    return view(
      entry,
      'untrusted',
      keyed.key ? 'not signed: not written by Meshdeck, or written while signing was off' : 'not signed, and signing is off here',
      source,
    );
  if (!keyed.key) return view(entry, 'untrusted', 'signed, but this Meshdeck has no key to check it', source);
  if (!verifyEntry(entry, keyed)) return view(entry, 'untrusted', 'the signature does not match: altered, or signed with another key', source);
  return view(entry, 'signed', 'signed by this Meshdeck', source);
}

/** Reads the legacy single-ConfigMap history: every entry shown, none trusted or reverted. */
export function readLegacyHistory(map: AuditConfigMap): AuditView[] {
  let raw: unknown;
  try {
    raw = JSON.parse(map.data?.[LEGACY_KEY] ?? '[]');
  } catch {
    return [invalid(map, `${LEGACY_KEY} is not JSON`)];
  }
  if (!Array.isArray(raw)) return [invalid(map, `${LEGACY_KEY} is not a list`)];
  const source = `${map.metadata.namespace}/${map.metadata.name}`;
  return raw.map((item, index) => {
    const parsed = legacyEntrySchema.safeParse(item);
    if (!parsed.success) return { ...invalid(map, `entry ${index}: ${describeIssues(parsed.error.issues)}`), id: `${map.metadata.name}#${index}` };
    const e = parsed.data;
    return {
      ...e,
      reason: e.reason.trim().slice(0, 500),
      resource: { ...e.resource, namespace: map.metadata.namespace },
      changes: [],
      trust: 'legacy' as const,
      trustNote: 'from the unsigned history of an earlier Meshdeck (anyone with ConfigMap write could have written it)',
      revertible: false,
      source,
    };
  });
}

export interface AuditFilter {
  namespace?: string;
  user?: string;
  action?: string;
  q?: string;
}

const isEntryObject = (map: AuditConfigMap) => map.metadata.labels?.[ENTRY_LABEL] === 'entry' && map.metadata.name.startsWith(ENTRY_NAME_PREFIX);

/** The watch cache of the trail: entry ConfigMaps and legacy histories. */
export const auditCache = () => cacheFor<AuditConfigMap>(configMaps, { labelSelector: AUDIT_SELECTOR });

/** Every entry of every namespace (or one), checked, with reverts linked; not filtered. */
export async function readTrail(namespace?: string): Promise<AuditView[]> {
  const cache = await auditCache();
  const keyed = signingKey();
  const views: AuditView[] = [];
  for (const map of cache.list(namespace)) {
    if (isEntryObject(map)) views.push(readEntryObject(map, keyed));
    else if (map.metadata.name === AUDIT_CONFIGMAP) views.push(...readLegacyHistory(map));
  }
  const stored = new Set(views.map((v) => v.id));
  for (const { entry } of pendingEntries().values()) {
    if (stored.has(entry.id) || (namespace && entry.resource.namespace !== namespace)) continue;
    const { signature: _s, format: _f, ...content } = entry;
    views.push({
      ...content,
      trust: 'pending',
      trustNote: 'applied; audit pending: this replica has not stored the entry yet and keeps retrying',
      revertible: false,
      source: 'this replica (not stored yet)',
    });
  }
  // Only a signed, applied revert marks an entry reverted.
  const reverts = new Map(
    views.filter((v) => v.trust === 'signed' && v.result === 'applied' && v.revertOf).map((v) => [`${v.resource.namespace}/${v.revertOf}`, v]),
  );
  return views.map((v) => {
    const revert = reverts.get(`${v.resource.namespace}/${v.id}`);
    return revert ? { ...v, revertible: false, revertedBy: `${revert.user} at ${revert.time}` } : v;
  });
}

/** Entries from every namespace's trail (watch-backed), newest first, filtered. */
export async function listAudit(filter: AuditFilter = {}): Promise<AuditView[]> {
  const q = filter.q?.toLowerCase();
  return (await readTrail(filter.namespace))
    .filter(
      (e) =>
        (!filter.user || e.user === filter.user) &&
        (!filter.action || e.action === filter.action) &&
        (!q || `${e.summary} ${e.reason} ${e.resource.name} ${e.user}`.toLowerCase().includes(q)),
    )
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
}

/**
 * The signed entry `id` of `namespace` that may be reverted, re-read and re-verified from the
 * cache; 404 when there is none there, 409 when already reverted, 422 when it may not be.
 */
export async function revertibleEntry(namespace: string, id: string): Promise<AuditEntry> {
  const trail = await readTrail(namespace);
  const found = trail.find((v) => v.id === id && v.resource.namespace === namespace && v.trust !== 'invalid');
  if (!found) throw new ApiError(404, `No audit entry ${id} in namespace ${namespace}`, 'NotFound');
  if (found.trust !== 'signed') throw new ApiError(422, `Audit entry ${id} cannot be reverted: it is ${found.trust} (${found.trustNote})`, 'NotRevertible');
  if (found.revertedBy) throw new ApiError(409, `This change was already reverted by ${found.revertedBy}`, 'Conflict');
  const cache = await auditCache();
  const map = cache.list(namespace).find((m) => m.metadata.name === found.source.slice(namespace.length + 1));
  // Re-read and re-checked: the cache may have changed since the trail was read.
  const parsed = entrySchema.safeParse(parseJson(map?.data?.[ENTRY_KEY]));
  if (!parsed.success || !verifyEntry(parsed.data) || parsed.data.id !== id)
    throw new ApiError(409, `Audit entry ${id} changed while it was read; reload the Audit page`, 'Conflict');
  const entry = parsed.data;
  const refusal = revertRefusal(entry, namespace);
  if (refusal) throw new ApiError(422, `Audit entry ${id} cannot be reverted: ${refusal}`, 'NotRevertible');
  return entry;
}

/** Whether entries are signed here, for the Audit page. */
export const signingState = (): SigningState => signingKey().state;
