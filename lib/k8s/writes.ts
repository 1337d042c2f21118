import { cacheFor } from './caches';
import { ApiError, toApiError } from './errors';
import { kubeRequest } from './http';
import { classifyRejectedPatch } from './rejected-patch';
import type { KubeObject } from './resource-cache';
import { objectPath, type ResourceDescriptor } from './resources';

export interface WriteOptions {
  /** Run the write as this user through impersonation. */
  impersonate?: { user: string; groups: string[] };
}

/**
 * Applies a JSON patch. Callers include their preconditions (the resourceVersion read and
 * `test` ops); a failed precondition is a 409 Conflict whichever way the API reports it, a
 * patch that never applied a 422 naming what is wrong.
 */
export async function jsonPatch<T>(descriptor: ResourceDescriptor, namespace: string, name: string, ops: unknown[], options: WriteOptions = {}): Promise<T> {
  try {
    return await kubeRequest<T>({
      method: 'PATCH',
      path: objectPath(descriptor, namespace, name),
      body: ops,
      contentType: 'application/json-patch+json',
      query: { fieldManager: 'meshdeck' },
      impersonate: options.impersonate,
    });
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
