// Reverts emergency PERMISSIVE at its deadline. Runs in every dashboard replica, but only
// the holder of a coordination.k8s.io Lease acts; the state lives on the PeerAuthentications,
// so a restarted or new replica picks up pending reverts from the cluster.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { newEntry, recordAudit } from '@/lib/audit/audit';
import { cacheFor } from '@/lib/k8s/caches';
import { toApiError } from '@/lib/k8s/errors';
import { kubeRequest } from '@/lib/k8s/http';
import { collectionPath, leases, objectPath, peerAuthentications } from '@/lib/k8s/resources';
import { jsonPatch } from '@/lib/k8s/writes';
import { emergencyOf, restorePatch, skipPatch } from '@/lib/mesh/emergency';
import type { PeerAuthentication } from '@/lib/mesh/security-types';

const LEASE = 'meshdeck-emergency-reconciler';
const LEASE_SECONDS = 15;
const TICK_MS = 2000;

type Lease = { metadata: { name: string; namespace: string; resourceVersion?: string }; spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string; leaseTransitions?: number } };

const microTime = (date = new Date()) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Takes or renews the Lease; true while this replica leads. Pure decision in `shouldTake`. */
export function shouldTake(lease: Lease['spec'], identity: string, now: number): boolean {
  if (!lease.holderIdentity || lease.holderIdentity === identity) return true;
  const renewed = lease.renewTime ? Date.parse(lease.renewTime) : 0;
  return renewed + (lease.leaseDurationSeconds ?? LEASE_SECONDS) * 1000 < now;
}

async function lead(identity: string, namespace: string): Promise<boolean> {
  const path = objectPath(leases, namespace, LEASE);
  let lease: Lease | undefined;
  try {
    lease = await kubeRequest<Lease>({ path });
  } catch (error) {
    if (toApiError(error).status !== 404) throw error;
  }
  const now = new Date();
  if (!lease) {
    try {
      await kubeRequest({ method: 'POST', path: collectionPath(leases, namespace), body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LEASE, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: LEASE_SECONDS, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 } } });
      return true;
    } catch {
      return false; // another replica created it first
    }
  }
  if (!shouldTake(lease.spec, identity, now.getTime())) return false;
  const takeover = lease.spec.holderIdentity !== identity;
  try {
    await kubeRequest({
      method: 'PUT',
      path,
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LEASE, namespace, resourceVersion: lease.metadata.resourceVersion }, spec: { ...lease.spec, holderIdentity: identity, leaseDurationSeconds: LEASE_SECONDS, renewTime: microTime(now), ...(takeover ? { acquireTime: microTime(now), leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1 } : {}) } },
    });
    return true;
  } catch {
    return false; // someone else renewed or took it meanwhile (409)
  }
}

const actor = { user: 'meshdeck (automatic revert)', role: 'system' };

/** Reverts every emergency past its deadline (or flags it when the policy changed meanwhile). */
export async function reconcile(now: number): Promise<void> {
  const cache = await cacheFor<PeerAuthentication & { metadata: { generation?: number } }>(peerAuthentications);
  for (const policy of cache.list()) {
    const state = emergencyOf(policy);
    if (!state || state.skipped || Date.parse(state.revertAt) > now) continue;
    const resource = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: state.namespace, name: state.name };
    if (state.changedSince) {
      // Someone changed the policy during the emergency: reverting would overwrite them.
      const why = `not reverted at ${new Date(now).toISOString()}: the policy was changed after the emergency began`;
      await jsonPatch(peerAuthentications, state.namespace, state.name, skipPatch(policy, why));
      await recordAudit(newEntry({ ...actor, action: 'security.emergency-revert', resource, summary: `automatic revert to ${state.previousMode} skipped`, reason: `deadline ${state.revertAt} reached`, patch: [], result: 'failed', message: why }));
      continue;
    }
    const patch = restorePatch(policy);
    try {
      const updated = await jsonPatch<PeerAuthentication>(peerAuthentications, state.namespace, state.name, patch);
      await recordAudit(newEntry({ ...actor, action: 'security.emergency-revert', resource, summary: `mTLS PERMISSIVE → ${state.previousMode} in ${state.namespace}`, reason: `deadline ${state.revertAt} reached (emergency by ${state.by}: ${state.reason})`, patch, result: 'applied', resourceVersion: updated.metadata.resourceVersion }));
    } catch (error) {
      if (toApiError(error).status !== 409) throw error; // a conflict: the cache catches up and the next tick decides again
    }
  }
}

const key = Symbol.for('meshdeck.emergencyReconciler');

export function startEmergencyReconciler(): void {
  const g = globalThis as typeof globalThis & { [key]?: NodeJS.Timeout };
  if (g[key]) return;
  const identity = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const namespace = process.env.MESHDECK_NAMESPACE ?? 'meshdeck';
  let lastError = '';
  let running = false;
  g[key] = setInterval(() => {
    if (running) return;
    running = true;
    lead(identity, namespace)
      .then((leader) => (leader ? reconcile(Date.now()) : undefined))
      .then(() => (lastError = ''))
      .catch((error: unknown) => {
        const message = toApiError(error).message;
        if (message !== lastError) console.warn(`[emergency-reconciler] ${message}`);
        lastError = message;
      })
      .finally(() => (running = false));
  }, TICK_MS);
  g[key].unref();
}
