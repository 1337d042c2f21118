// The three patch formats of the Kubernetes API: JSON patch (RFC 6902), JSON merge patch
// (RFC 7386) and strategic merge patch (merge keyed lists by their merge key).
import { StatusError, badRequest } from './status.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchFailed(`the JSON pointer "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

// Why a JSON patch could not be applied (failed test op, missing path). The HTTP API answers
// kube-apiserver's generic 422 instead (patchNotApplicable); the detail is for direct callers.
const patchFailed = (message: string) => new StatusError(422, message, 'Invalid');

const goType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value);

/** Applies an RFC 6902 JSON patch to a copy of the document. */
export function applyJsonPatch(document: unknown, operations: unknown): unknown {
  // Only a document that does not decode as a list of operations is a 400 (kube-apiserver's wording).
  if (!Array.isArray(operations))
    throw badRequest(`error decoding patch: json: cannot unmarshal ${goType(operations)} into Go value of type []handlers.jsonPatchOp`);
  const notAnOperation = operations.find((op) => !isObject(op));
  if (notAnOperation !== undefined)
    throw badRequest(`error decoding patch: json: cannot unmarshal ${goType(notAnOperation)} into Go value of type handlers.jsonPatchOp`);
  let doc = structuredClone(document) as Json;
  for (const raw of operations as Operation[]) {
    if (typeof raw.op !== 'string' || typeof raw.path !== 'string') throw patchFailed('a JSON patch operation needs "op" and "path"');
    const path = decodePointer(raw.path);
    switch (raw.op) {
      case 'add':
        doc = setAt(doc, path, raw.value as Json, 'add');
        break;
      case 'replace':
        getAt(doc, path, raw.path);
        doc = setAt(doc, path, raw.value as Json, 'replace');
        break;
      case 'remove':
        getAt(doc, path, raw.path);
        doc = removeAt(doc, path);
        break;
      case 'test': {
        const actual = getAt(doc, path, raw.path);
        if (!deepEqual(actual, raw.value))
          throw patchFailed(
            `the server rejected our request due to an error in our request: testing value ${raw.path} failed: expected ${JSON.stringify(raw.value)}, found ${JSON.stringify(actual)}`,
          );
        break;
      }
      case 'move':
      case 'copy': {
        if (typeof raw.from !== 'string') throw patchFailed(`"${raw.op}" needs "from"`);
        const fromPath = decodePointer(raw.from);
        const value = structuredClone(getAt(doc, fromPath, raw.from));
        if (raw.op === 'move') doc = removeAt(doc, fromPath);
        doc = setAt(doc, path, value, 'add');
        break;
      }
      default:
        throw patchFailed(`unexpected JSON patch operation "${raw.op}"`);
    }
  }
  return doc;
}

function getAt(doc: Json, path: string[], pointer: string): Json {
  let current: Json = doc;
  for (const segment of path) {
    if (Array.isArray(current)) {
      const index = Number(segment);
      if (!/^\d+$/.test(segment) || index >= current.length)
        throw patchFailed(`the server rejected our request due to an error in our request: doc is missing path: "${pointer}"`);
      current = current[index]!;
    } else if (isObject(current) && Object.hasOwn(current, segment)) {
      current = current[segment] as Json;
    } else {
      throw patchFailed(`the server rejected our request due to an error in our request: doc is missing path: "${pointer}"`);
    }
  }
  return current;
}

function setAt(doc: Json, path: string[], value: Json, mode: 'add' | 'replace'): Json {
  if (path.length === 0) return value;
  const parent = getAt(doc, path.slice(0, -1), '/' + path.slice(0, -1).join('/'));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    if (last === '-') parent.push(value);
    else {
      const index = Number(last);
      if (!/^\d+$/.test(last) || index > parent.length)
        throw patchFailed(`the server rejected our request due to an error in our request: index ${last} out of bounds`);
      if (mode === 'add') parent.splice(index, 0, value);
      else parent[index] = value;
    }
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw patchFailed(`the server rejected our request due to an error in our request: cannot set "${last}" on a ${typeof parent}`);
  }
  return doc;
}

function removeAt(doc: Json, path: string[]): Json {
  const parent = getAt(doc, path.slice(0, -1), '/' + path.slice(0, -1).join('/'));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  return doc;
}

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

// Merge keys of the core kinds' lists (from their Go types' patchMergeKey tags).
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort', // container ports; service ports use "port", handled below
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  conditions: 'type',
  tolerations: 'key',
  hostAliases: 'ip',
  subsets: 'name',
};

/**
 * Strategic merge patch for the built-in kinds: like a merge patch, but lists with a
 * merge key merge element by element, and the $patch / $setElementOrder / $retainKeys /
 * $deleteFromPrimitiveList directives kubectl sends are honoured.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, parentKey = ''): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys' || key === '$patch') continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(result[field])) result[field] = (result[field] as unknown[]).filter((v) => !(value as unknown[]).includes(v));
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      const mergeKey = key === 'ports' && parentKey === 'spec' ? 'port' : MERGE_KEYS[key];
      result[key] = mergeKey && Array.isArray(result[key]) ? mergeList(result[key] as unknown[], value, mergeKey, key) : stripDirectives(value);
    } else if (isObject(value)) {
      const merged = applyStrategicMergePatch(result[key], value, key);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else {
      result[key] = value;
    }
  }
  if (retainKeys) for (const key of Object.keys(result)) if (!retainKeys.includes(key) && !(key in patch)) delete result[key];
  return result;
}

function mergeList(current: unknown[], patch: unknown[], mergeKey: string, listKey: string): unknown[] {
  if (patch.some((item) => isObject(item) && item.$patch === 'replace'))
    return stripDirectives(patch.filter((item) => !(isObject(item) && item.$patch === 'replace'))) as unknown[];
  const result = [...current];
  for (const item of patch) {
    if (!isObject(item)) {
      if (!result.includes(item)) result.push(item);
      continue;
    }
    const index = result.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = applyStrategicMergePatch(result[index], item, listKey);
    } else {
      result.push(stripDirectives(item));
    }
  }
  return result;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.startsWith('$'))
      .map(([k, v]) => [k, stripDirectives(v)]),
  );
}

export { deepEqual, isObject };
