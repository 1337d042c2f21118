// kube-apiserver answers every JSON patch that does not apply (a failed `test` op, a replace or
// remove at a missing path) with the same 422 and no causes. Replaying the patch on the object
// as it is now tells a conflict (someone changed it) from a patch that was never valid.
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from './errors';
import type { ResourceDescriptor } from './resources';

type Op = { op?: unknown; path?: unknown; value?: unknown };
type Json = unknown;

const RESOURCE_VERSION = '/metadata/resourceVersion';

/** What a JSON patch found at one path; `exists: false` when the path leads nowhere. */
type Lookup = { exists: true; value: Json; parent: Json; key: string } | { exists: false; parent?: Json; key?: string };

const isContainer = (value: Json): value is Record<string, Json> | Json[] => value !== null && typeof value === 'object';

function tokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function lookup(document: Json, pointer: string): Lookup {
  const path = tokens(pointer);
  let parent: Json = undefined;
  let current: Json = document;
  let key = '';
  for (const [index, token] of path.entries()) {
    parent = current;
    key = token;
    // Only a missing last token leaves a parent to add to.
    const missing = (): Lookup => (index === path.length - 1 ? { exists: false, parent, key } : { exists: false });
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= current.length) return missing();
      current = current[Number(token)];
    } else if (isContainer(current) && Object.hasOwn(current, token)) {
      current = (current as Record<string, Json>)[token];
    } else {
      return missing();
    }
  }
  return { exists: true, value: current, parent, key };
}

/** Applies one add/replace/remove to `document` in place (only called once the path was checked). */
function mutate(document: Json, op: string, pointer: string, value: Json): boolean {
  const found = lookup(document, pointer);
  const { parent, key } = found;
  if (!isContainer(parent) || key === undefined) return false;
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (op === 'add') {
      if (!/^(0|[1-9]\d*|-)$/.test(key) || index > parent.length) return false;
      parent.splice(index, 0, value);
    } else {
      if (!found.exists) return false;
      if (op === 'remove') parent.splice(index, 1);
      else parent[index] = value;
    }
    return true;
  }
  if (op !== 'add' && !found.exists) return false;
  if (op === 'remove') delete parent[key];
  else parent[key] = value;
  return true;
}

const show = (value: Json) => (value === undefined ? 'absent' : JSON.stringify(value));

/**
 * Decides, from the object re-read after a cause-less 422 to a JSON patch, whether the patch
 * failed because the object changed since it was read (409 Conflict: its resourceVersion moved
 * past the one the patch carried, or a `test` op no longer holds) or because it never applied
 * (422 Invalid, naming the op and path when the replay finds it).
 */
export function classifyRejectedPatch(descriptor: ResourceDescriptor, namespace: string, name: string, ops: unknown[], fresh: Json): ApiError {
  const subject = `${descriptor.kind} ${namespace}/${name}`;
  const details = { name, group: descriptor.group, kind: descriptor.plural };
  const conflict = (what: string) => new ApiError(409, `${subject} changed since it was read: ${what}`, 'Conflict', details);
  const invalid = (what: string) => new ApiError(422, `The change does not apply to ${subject}: ${what}`, 'Invalid', details);

  const patch = ops.filter((o): o is Op => isContainer(o));
  const freshVersion = (fresh as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  const carried = patch.findLast((o) => o.path === RESOURCE_VERSION && (o.op === 'replace' || o.op === 'test'))?.value;
  if (typeof carried === 'string' && freshVersion !== undefined && carried !== freshVersion) {
    return conflict(`its resourceVersion is now ${freshVersion}, the change was based on ${carried}`);
  }

  const document = structuredClone(fresh);
  for (const op of patch) {
    if (typeof op.op !== 'string' || typeof op.path !== 'string') return invalid(`the patch has an operation without op or path`);
    const found = lookup(document, op.path);
    if (op.op === 'test') {
      if (!found.exists || !isDeepStrictEqual(found.value, op.value)) return conflict(`${op.path} is now ${show(found.exists ? found.value : undefined)}, expected ${show(op.value)}`);
      continue;
    }
    if (op.op === 'replace' || op.op === 'remove' || op.op === 'add') {
      if (!mutate(document, op.op, op.path, op.value)) {
        return invalid(op.op === 'add' ? `${op.path.replace(/\/[^/]*$/, '') || '/'} does not exist, so ${op.path} cannot be added` : `${op.path} does not exist, so it cannot be ${op.op}d`);
      }
      continue;
    }
    break; // move/copy: Meshdeck does not send them, and replaying them would not tell us more
  }
  return invalid('the API refused it without saying why, yet it applies to the object as it is now; reload and try again');
}
