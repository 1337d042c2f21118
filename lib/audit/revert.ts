// Reverting an audited change: the inverse is recomputed from the entry's before/after
// values (never stored patch JSON), for the kinds Meshdeck writes only.
import type { Action } from '@/lib/auth/roles';
import { ApiError } from '@/lib/k8s/errors';
import { destinationRules, envoyFilters, peerAuthentications, virtualServices, type ResourceDescriptor } from '@/lib/k8s/resources';
import { jsonPatch, type WriteOptions } from '@/lib/k8s/writes';
import { inversePatch, revertRefusal, swapped, type AuditEntry } from './entry';

const DESCRIPTORS: Record<string, ResourceDescriptor> = {
  VirtualService: virtualServices,
  DestinationRule: destinationRules,
  PeerAuthentication: peerAuthentications,
  EnvoyFilter: envoyFilters,
};

/** Reverting a security change needs the rights that change needed. */
export function revertPermission(entry: AuditEntry): Action {
  return ['PeerAuthentication', 'EnvoyFilter'].includes(entry.resource.kind) ? 'security:write' : 'audit:revert';
}

/**
 * Applies the inverse of a signed, revertible entry (checked again here) and returns what
 * the audit entry of the revert needs. A later change to the object answers 409.
 */
export async function applyRevert(entry: AuditEntry, options: WriteOptions = {}) {
  const refusal = revertRefusal(entry, entry.resource.namespace);
  const descriptor = DESCRIPTORS[entry.resource.kind];
  if (refusal || !descriptor)
    throw new ApiError(422, `Audit entry ${entry.id} cannot be reverted: ${refusal ?? `Meshdeck does not write ${entry.resource.kind}s`}`, 'NotRevertible');
  const patch = inversePatch(entry);
  const updated = await jsonPatch<{ metadata?: { resourceVersion?: string } }>(descriptor, entry.resource.namespace, entry.resource.name, patch, options);
  return {
    item: updated,
    patch,
    // A revert is not itself offered for revert: apply the original change again instead.
    revert: [],
    changes: swapped(entry.changes),
    revertOf: entry.id,
    summary: `reverted: ${entry.summary}`.slice(0, 2000),
    resourceVersion: updated.metadata?.resourceVersion,
  };
}
