import { ApiError, toApiError } from './errors';
import { kubeRequest } from './http';
import { objectPath, type ResourceDescriptor } from './resources';

export interface WriteOptions {
  /** Run the write as this user through impersonation. */
  impersonate?: { user: string; groups: string[] };
}

/**
 * Applies a JSON patch. Callers include their preconditions (the resourceVersion read and
 * `test` ops); a failed precondition is a conflict whichever way the API reports it.
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
    // kube-apiserver answers a failed `test` op with 422; for us that means someone else changed the object.
    if (apiError.status === 422 && /testing value .* failed/.test(apiError.message)) {
      throw new ApiError(409, `${descriptor.kind} ${namespace}/${name} changed since it was read: ${apiError.message.replace(/^.*?testing value/, 'testing value')}`, 'Conflict');
    }
    throw apiError;
  }
}

/** Reads one object straight from the API (used to show the fresh state after a conflict). */
export function getObject<T>(descriptor: ResourceDescriptor, namespace: string, name: string): Promise<T> {
  return kubeRequest<T>({ path: objectPath(descriptor, namespace, name) });
}
