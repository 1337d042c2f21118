// Field ownership (metadata.managedFields) and server-side apply. Ownership is tracked per
// leaf field; lists are atomic (Istio's lists carry no list-map keys), which is what a
// structural schema without x-kubernetes-list-type means to kube-apiserver too.
import { StatusError } from './status.ts';
import { deepEqual, isObject } from './patch.ts';
import type { KubeObject, ManagedFieldsEntry } from './store.ts';

const IGNORED_TOP = new Set(['apiVersion', 'kind', 'status']);
const TRACKED_METADATA = new Set(['labels', 'annotations', 'ownerReferences', 'finalizers']);

/** The leaf paths of an object that field management tracks, e.g. ["spec","http"]. */
export function leafPaths(object: Record<string, unknown>): string[][] {
  const out: string[][] = [];
  const walk = (value: unknown, path: string[]) => {
    if (isObject(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    } else {
      out.push(path);
    }
  };
  for (const [key, value] of Object.entries(object)) {
    if (IGNORED_TOP.has(key)) continue;
    if (key === 'metadata') {
      for (const [mkey, mvalue] of Object.entries(isObject(value) ? value : {})) if (TRACKED_METADATA.has(mkey)) walk(mvalue, ['metadata', mkey]);
      continue;
    }
    walk(value, [key]);
  }
  return out;
}

const pathKey = (path: string[]) => JSON.stringify(path);

function valueAt(object: unknown, path: string[]): unknown {
  let current = object;
  for (const segment of path) {
    if (!isObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function deleteAt(object: Record<string, unknown>, path: string[]): void {
  const parents: Record<string, unknown>[] = [];
  let current: unknown = object;
  for (const segment of path.slice(0, -1)) {
    if (!isObject(current)) return;
    parents.push(current);
    current = current[segment];
  }
  if (!isObject(current)) return;
  delete current[path[path.length - 1]!];
  // Drop objects the deletion left empty, as apply does.
  for (let i = path.length - 2; i >= 0; i--) {
    const parent = parents[i]!;
    const child = parent[path[i]!];
    if (isObject(child) && Object.keys(child).length === 0) delete parent[path[i]!];
    else break;
  }
}

/** fieldsV1 ({"f:spec":{"f:http":{}}}) from leaf paths. */
export function toFieldsV1(paths: string[][]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      const key = `f:${segment}`;
      node = (node[key] ??= {}) as Record<string, unknown>;
    }
  }
  return root;
}

/** Leaf paths from fieldsV1. */
export function fromFieldsV1(fields: Record<string, unknown>, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [key, child] of Object.entries(fields)) {
    if (!key.startsWith('f:')) continue;
    const path = [...prefix, key.slice(2)];
    const nested = isObject(child) ? fromFieldsV1(child, path) : [];
    if (nested.length === 0) out.push(path);
    else out.push(...nested);
  }
  return out;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * Records an Update by `manager`: it takes ownership of every leaf that changed between
 * the old and new object, and other managers lose those leaves.
 */
export function recordUpdate(previous: KubeObject | undefined, next: KubeObject, manager: string, apiVersion: string, subresource?: string): void {
  const entries = (previous?.metadata.managedFields ?? []).map((e) => ({ ...e, paths: fromFieldsV1(e.fieldsV1) }));
  const oldObject = previous ?? { metadata: {} };
  const changed = leafPaths(next).filter((p) => !deepEqual(valueAt(oldObject, p), valueAt(next, p)));
  const removed = previous ? leafPaths(previous).filter((p) => valueAt(next, p) === undefined) : [];
  const changedKeys = new Set([...changed, ...removed].map(pathKey));
  for (const entry of entries) entry.paths = entry.paths.filter((p) => !changedKeys.has(pathKey(p)) && valueAt(next, p) !== undefined);
  let mine = entries.find((e) => e.manager === manager && e.operation === 'Update' && e.subresource === subresource);
  if (!mine && changed.length > 0) {
    mine = { manager, operation: 'Update', apiVersion, time: now(), fieldsType: 'FieldsV1', fieldsV1: {}, paths: [], ...(subresource ? { subresource } : {}) };
    entries.push(mine);
  }
  if (mine && changed.length > 0) {
    const have = new Set(mine.paths.map(pathKey));
    for (const p of changed) if (!have.has(pathKey(p))) mine.paths.push(p);
    mine.time = now();
    mine.apiVersion = apiVersion;
  }
  next.metadata.managedFields = finish(entries);
}

function finish(entries: (ManagedFieldsEntry & { paths: string[][] })[]): ManagedFieldsEntry[] {
  return entries.filter((e) => e.paths.length > 0).map(({ paths, ...entry }) => ({ ...entry, fieldsV1: toFieldsV1(paths) }));
}

function mergeApplied(target: unknown, applied: unknown): unknown {
  if (!isObject(applied) || !isObject(target)) return structuredClone(applied);
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(applied)) out[key] = mergeApplied(out[key], value);
  return out;
}

// How a conflict names a manager (kube-apiserver's printManager): appliers by name alone,
// updaters with the version they wrote through, either with its subresource.
function managerName(entry: ManagedFieldsEntry): string {
  const name = `"${entry.manager}"${entry.subresource ? ` with subresource "${entry.subresource}"` : ''}`;
  return entry.operation === 'Update' ? `${name} using ${entry.apiVersion}` : name;
}

/**
 * Server-side apply of `applied` by `manager` onto `live` (undefined: create). Throws 409
 * with the conflicting fields unless `force`; returns the new object with managedFields.
 */
export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, manager: string, force: boolean, apiVersion: string): KubeObject {
  const entries = (live?.metadata.managedFields ?? []).map((e) => ({ ...e, paths: fromFieldsV1(e.fieldsV1) }));
  const appliedPaths = leafPaths(applied);
  const appliedKeys = new Set(appliedPaths.map(pathKey));

  const conflicts: { manager: string; path: string[] }[] = [];
  for (const entry of entries) {
    if (entry.manager === manager && entry.operation === 'Apply') continue;
    for (const path of entry.paths) {
      if (appliedKeys.has(pathKey(path)) && live && !deepEqual(valueAt(live, path), valueAt(applied, path)))
        conflicts.push({ manager: managerName(entry), path });
    }
  }
  if (conflicts.length > 0 && !force) {
    const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: '.' + c.path.join('.') }));
    const list = causes.map((c) => `- ${c.message}: ${c.field}`).join('\n');
    // kube-apiserver's apply conflicts carry only the causes: no name, group or kind.
    throw new StatusError(
      409,
      `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${conflicts.length === 1 ? `${causes[0]!.message}: ${causes[0]!.field}` : `\n${list}`}`,
      'Conflict',
      { causes },
    );
  }

  // Fields this manager applied before but no longer applies are removed, unless someone else owns them.
  const base = structuredClone(
    live ?? { apiVersion: applied.apiVersion, kind: applied.kind, metadata: { name: applied.metadata.name, namespace: applied.metadata.namespace } },
  ) as KubeObject;
  const previous = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  if (previous) {
    const ownedByOthers = new Set(entries.filter((e) => e !== previous).flatMap((e) => e.paths.map(pathKey)));
    for (const path of previous.paths) if (!appliedKeys.has(pathKey(path)) && !ownedByOthers.has(pathKey(path))) deleteAt(base, path);
  }
  const { metadata: appliedMeta, ...appliedBody } = applied;
  const merged = mergeApplied(base, appliedBody) as KubeObject;
  merged.metadata = { ...base.metadata };
  if (appliedMeta.labels) merged.metadata.labels = { ...base.metadata.labels, ...appliedMeta.labels };
  if (appliedMeta.annotations) merged.metadata.annotations = { ...base.metadata.annotations, ...appliedMeta.annotations };

  // Forced (or agreeing) fields move to this manager.
  for (const entry of entries)
    if (!(entry.manager === manager && entry.operation === 'Apply')) entry.paths = entry.paths.filter((p) => !appliedKeys.has(pathKey(p)));
  const mine = previous ?? { manager, operation: 'Apply' as const, apiVersion, time: now(), fieldsType: 'FieldsV1' as const, fieldsV1: {}, paths: [] };
  mine.paths = appliedPaths;
  mine.time = now();
  mine.apiVersion = apiVersion;
  if (!previous) entries.push(mine);
  merged.metadata.managedFields = finish(entries);
  return merged;
}
