import { cacheFor } from './caches';
import { ApiError, toApiError } from './errors';
import { kubeRequest } from './http';
import { classifyRejectedPatch } from './rejected-patch';
import type { KubeObject } from './resource-cache';
import { objectPath, type ResourceDescriptor } from './resources';

export interface WriteOptions {
  /** Run the write as this user through impersonation. */
  impersonate?: { user: string; groups: string[] };
  /**
   * Preview instead of writing: the API server runs the patch with dryRun=All (admission,
   * validation, preconditions, as for the real write) and stores nothing. jsonPatch puts the
   * object it was based on and the object it would become here, without write noise.
   */
  dryRun?: WritePreview;
}

/** What a previewed write would do: the object now, and what the API server says it would become. */
export interface WritePreview {
  before?: unknown;
  after?: unknown;
}

const NOISE_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * An object without what every write changes or what only bookkeeps (managedFields,
 * resourceVersion, generation, kubectl's copy of the last applied object), so that a diff of
 * two of them shows the change itself.
 */
export function withoutWriteNoise(object: unknown): unknown {
  const metadata = (object as { metadata?: Record<string, unknown> } | undefined)?.metadata;
  if (!metadata) return object;
  const { managedFields: _fields, resourceVersion: _version, generation: _generation, ...kept } = metadata;
  const annotations = kept.annotations as Record<string, string> | undefined;
  if (annotations && NOISE_ANNOTATION in annotations) {
    const { [NOISE_ANNOTATION]: _applied, ...rest } = annotations;
    if (Object.keys(rest).length) kept.annotations = rest;
    else delete kept.annotations;
  }
  return { ...(object as object), metadata: kept };
}

/**
 * Applies a JSON patch. Callers include their preconditions (the resourceVersion read and
 * `test` ops); a failed precondition is a 409 Conflict whichever way the API reports it, a
 * patch that never applied a 422 naming what is wrong.
 */
export async function jsonPatch<T>(descriptor: ResourceDescriptor, namespace: string, name: string, ops: unknown[], options: WriteOptions = {}): Promise<T> {
  try {
    // A preview reads the object as the user first: the patch's resourceVersion precondition
    // then makes the dry run a 409 unless this is exactly the version the edit was based on.
    const before = options.dryRun && (await getObject<unknown>(descriptor, namespace, name, options));
    const after = await kubeRequest<T>({
      method: 'PATCH',
      path: objectPath(descriptor, namespace, name),
      body: ops,
      contentType: 'application/json-patch+json',
      query: { fieldManager: 'meshdeck', ...(options.dryRun ? { dryRun: 'All' } : {}) },
      impersonate: options.impersonate,
    });
    if (options.dryRun) Object.assign(options.dryRun, { before: withoutWriteNoise(before), after: withoutWriteNoise(after) });
    return after;
  } catch (error) {
    const apiError = toApiError(error);
    // kube-apiserver says nothing about why a JSON patch did not apply: a 422 with no causes.
    if (apiError.status !== 422 || apiError.causes.length > 0) throw apiError;
    let fresh: unknown;
    try {
      fresh = await getObject(descriptor, namespace, name, options);
    } catch (readError) {
      const read = toApiError(readError);
      if (read.status === 404) throw read; // deleted in the meantime
      throw new ApiError(422, `${apiError.message}; re-reading it to tell a conflict from an invalid change failed: ${read.message}`, 'Invalid', apiError.details);
    }
    throw classifyRejectedPatch(descriptor, namespace, name, ops, fresh);
  }
}

/** Reads one object straight from the API (used to show the fresh state after a conflict). */
export function getObject<T>(descriptor: ResourceDescriptor, namespace: string, name: string, options: WriteOptions = {}): Promise<T> {
  return kubeRequest<T>({ path: objectPath(descriptor, namespace, name), impersonate: options.impersonate });
}

/**
 * The object a write is based on: as it was at `resourceVersion`, the version the person
 * edited. The watch cache may lag the person's page (or run ahead of it), so a cached copy
 * of another version is not used: the object is read fresh, and if it has moved on since that
 * version, the write is a conflict now, before anything is sent. Undefined when it is gone.
 */
export async function objectAtVersion<T extends { metadata: { resourceVersion?: string } }>(descriptor: ResourceDescriptor, namespace: string, name: string, resourceVersion: string): Promise<T | undefined> {
  const cached = (await cacheFor<T & KubeObject>(descriptor)).get(namespace, name);
  if (cached?.metadata.resourceVersion === resourceVersion) return cached;
  let fresh: T;
  try {
    fresh = await getObject<T>(descriptor, namespace, name);
  } catch (error) {
    if (toApiError(error).status === 404) return undefined;
    throw error;
  }
  if (fresh.metadata.resourceVersion !== resourceVersion) {
    throw new ApiError(409, `${descriptor.kind} ${namespace}/${name} changed since it was read (your edit was based on version ${resourceVersion}; it is now at ${fresh.metadata.resourceVersion})`, 'Conflict');
  }
  return fresh;
}
