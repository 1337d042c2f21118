// Every change Meshdeck makes, recorded in the cluster itself: an Event on the object, and
// a bounded history per namespace (ConfigMap meshdeck-audit) that the Audit page reads back.
import { randomUUID } from 'node:crypto';
import { cacheFor } from '@/lib/k8s/caches';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import { kubeRequest } from '@/lib/k8s/http';
import { collectionPath, configMaps, objectPath } from '@/lib/k8s/resources';
import type { JsonPatchOp } from '@/lib/mesh/patches';

export const AUDIT_CONFIGMAP = 'meshdeck-audit';
export const AUDIT_LIMIT = 200; // entries kept per namespace
const KEY = 'entries.json';

export interface AuditEntry {
  id: string;
  time: string;
  user: string;
  role: string;
  action: string; // e.g. traffic.weights, traffic.match, audit.revert
  resource: { apiVersion: string; kind: string; namespace: string; name: string };
  summary: string; // "default-split: stable 95% / canary 5% → stable 75% / canary 25%"
  reason: string;
  patch: JsonPatchOp[];
  result: 'applied' | 'failed';
  message?: string;
  resourceVersion?: string; // after the change
  /** The inverse patch (with its precondition), when the change can be reverted. */
  revert?: JsonPatchOp[];
  revertOf?: string;
  revertedBy?: string;
}

type ConfigMap = { metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string> }; data?: Record<string, string> };

/** Appends to a bounded history (pure): newest last, at most `limit`. */
export function appendBounded<T>(entries: T[], entry: T, limit = AUDIT_LIMIT): T[] {
  return [...entries, entry].slice(-limit);
}

export function parseEntries(configMap: ConfigMap | undefined): AuditEntry[] {
  try {
    const parsed = JSON.parse(configMap?.data?.[KEY] ?? '[]');
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

export function newEntry(fields: Omit<AuditEntry, 'id' | 'time'>): AuditEntry {
  return { id: randomUUID(), time: new Date().toISOString(), ...fields };
}

async function writeHistory(namespace: string, update: (entries: AuditEntry[]) => AuditEntry[]): Promise<void> {
  const path = objectPath(configMaps, namespace, AUDIT_CONFIGMAP);
  // Optimistic concurrency: another replica may append at the same time.
  for (let attempt = 0; attempt < 5; attempt++) {
    let current: ConfigMap | undefined;
    try {
      current = await kubeRequest<ConfigMap>({ path });
    } catch (error) {
      if (toApiError(error).status !== 404) throw error;
    }
    const body: ConfigMap = {
      metadata: { name: AUDIT_CONFIGMAP, namespace, labels: { 'app.kubernetes.io/managed-by': 'meshdeck' }, ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}) },
      data: { [KEY]: JSON.stringify(update(parseEntries(current))) },
    };
    try {
      if (current) await kubeRequest({ method: 'PUT', path, body: { apiVersion: 'v1', kind: 'ConfigMap', ...body } });
      else await kubeRequest({ method: 'POST', path: collectionPath(configMaps, namespace), body: { apiVersion: 'v1', kind: 'ConfigMap', ...body } });
      return;
    } catch (error) {
      const status = toApiError(error).status;
      if (status !== 409) throw error;
    }
  }
  throw new ApiError(409, `The audit history of ${namespace} kept changing; the entry was not recorded`, 'Conflict');
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
      involvedObject: { apiVersion: resource.apiVersion, kind: resource.kind, namespace: resource.namespace, name: resource.name, resourceVersion: entry.resourceVersion },
      reason: entry.result === 'applied' ? 'MeshdeckChange' : 'MeshdeckChangeFailed',
      message: `${entry.user} (${entry.role}) ${entry.action}: ${entry.summary}. Reason: ${entry.reason}${entry.message ? `. ${entry.message}` : ''}`,
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

/** Records an entry durably: the object's Event and the namespace's history. */
export async function recordAudit(entry: AuditEntry): Promise<void> {
  await Promise.all([recordEvent(entry), writeHistory(entry.resource.namespace, (entries) => appendBounded(entries, entry))]);
}

export async function markReverted(namespace: string, id: string, by: string): Promise<void> {
  await writeHistory(namespace, (entries) => entries.map((e) => (e.id === id ? { ...e, revertedBy: by } : e)));
}

export interface AuditFilter {
  namespace?: string;
  user?: string;
  action?: string;
  q?: string;
}

/** Entries from every namespace's history (watch-backed), newest first, filtered. */
export async function listAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const cache = await cacheFor<ConfigMap>(configMaps, { labelSelector: 'app.kubernetes.io/managed-by=meshdeck' });
  const maps = cache.list(filter.namespace).filter((c) => c.metadata.name === AUDIT_CONFIGMAP);
  const q = filter.q?.toLowerCase();
  return maps
    .flatMap(parseEntries)
    .filter((e) => (!filter.user || e.user === filter.user) && (!filter.action || e.action === filter.action) && (!q || `${e.summary} ${e.reason} ${e.resource.name} ${e.user}`.toLowerCase().includes(q)))
    .sort((a, b) => b.time.localeCompare(a.time));
}

export async function findEntry(namespace: string, id: string): Promise<AuditEntry> {
  const entry = (await listAudit({ namespace })).find((e) => e.id === id);
  if (!entry) throw new ApiError(404, `No audit entry ${id} in ${namespace}`, 'NotFound');
  return entry;
}
