// Reverts emergency PERMISSIVE at its deadline. Runs in every dashboard replica, but only
// the holder of a coordination.k8s.io Lease acts; the state lives on the PeerAuthentications,
// so a restarted or new replica picks up pending reverts from the cluster. Whether a revert
// is armed is always known and said: an emergency is refused while nobody holds the Lease.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { newEntry, recordAudit } from '@/lib/audit/audit';
import { ownNamespace } from '@/lib/env';
import { cacheFor } from '@/lib/k8s/caches';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import { LeaderLoop, type LeaderArming, type LeaderWork } from '@/lib/k8s/lease-election';
import { peerAuthentications } from '@/lib/k8s/resources';
import { jsonPatch } from '@/lib/k8s/writes';
import { emergencyOf, restorePatch, skipPatch } from '@/lib/mesh/emergency';
import type { PeerAuthentication } from '@/lib/mesh/security-types';

export const LEASE_NAME = 'meshdeck-emergency-reconciler';
/** The reverts' name among the works sharing the Lease (and in /api/readyz). */
export const REVERT_WORK = 'emergency-revert';
const TICK_MS = 2000;

/** Where the Lease lives: the pod's own namespace, else MESHDECK_NAMESPACE, else `meshdeck`. */
export const leaseNamespace = ownNamespace;

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
      await recordAudit(
        newEntry({
          ...actor,
          action: 'security.emergency-revert',
          resource,
          summary: `automatic revert to ${state.previousMode} skipped`,
          reason: `deadline ${state.revertAt} reached`,
          patch: [],
          result: 'failed',
          message: why,
        }),
      );
      continue;
    }
    const patch = restorePatch(policy);
    try {
      const updated = await jsonPatch<PeerAuthentication>(peerAuthentications, state.namespace, state.name, patch);
      await recordAudit(
        newEntry({
          ...actor,
          action: 'security.emergency-revert',
          resource,
          summary: `mTLS PERMISSIVE → ${state.previousMode} in ${state.namespace}`,
          reason: `deadline ${state.revertAt} reached (emergency by ${state.by}: ${state.reason})`,
          patch,
          result: 'applied',
          resourceVersion: updated.metadata.resourceVersion,
        }),
      );
    } catch (error) {
      if (toApiError(error).status !== 409) throw error; // a conflict: the cache catches up and the next tick decides again
    }
  }
}

/** Whether a deadline will be acted on, as the banner, the Security page and /api/readyz say it. */
export type RevertArming = LeaderArming;

export interface ReconcilerOptions {
  namespace?: string;
  /** The Lease's name (LEASE_NAME unless a test runs a loop of its own beside a dashboard's). */
  leaseName?: string;
  identity?: string;
  /** Watch who holds the Lease without competing (MESHDECK_EMERGENCY_RECONCILER=0 or MESHDECK_ROLLOUT_CONTROLLER=0). */
  observeOnly?: boolean;
  leaseSeconds?: number;
  tickMs?: number;
  /**
   * Other background work the Lease's holder does beside the reverts (the rollout controller),
   * each isolated from them: one failing round stops neither the reverts nor their arming.
   */
  works?: LeaderWork[];
}

/** A replica's identity in Leases: the pod's name (its hostname), the process, and a nonce. */
export const replicaIdentity = () => `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

/** One replica's reconciler: elects through the Lease and, while leading, reverts on time (and runs the other works). */
export class EmergencyReconciler extends LeaderLoop {
  constructor(options: ReconcilerOptions = {}) {
    super({
      label: 'emergency-reconciler',
      namespace: options.namespace ?? leaseNamespace(),
      name: options.leaseName ?? LEASE_NAME,
      identity: options.identity ?? replicaIdentity(),
      leaseSeconds: options.leaseSeconds,
      observeOnly: options.observeOnly,
      tickMs: options.tickMs ?? TICK_MS,
      works: [{ name: REVERT_WORK, run: () => reconcile(Date.now()) }, ...(options.works ?? [])],
    });
  }
}

const key = Symbol.for('meshdeck.emergencyReconciler');
type WithReconciler = typeof globalThis & { [key]?: EmergencyReconciler };

/** Starts this process's reconciler once (instrumentation.ts), releasing the Lease on SIGTERM. */
export function startEmergencyReconciler(options: ReconcilerOptions = {}): EmergencyReconciler {
  const g = globalThis as WithReconciler;
  if (g[key]) return g[key];
  const reconciler = new EmergencyReconciler(options).start();
  g[key] = reconciler;
  // Best effort beside Next's own shutdown: a released Lease is taken over at the next tick, not after it expires.
  process.once('SIGTERM', () => void reconciler.stop());
  return reconciler;
}

/** This process's reconciler (its Lease loop, shared with the rollout controller), if one was started. */
export const runningReconciler = (): EmergencyReconciler | undefined => (globalThis as WithReconciler)[key];

/** The arming of one work of this process's Lease loop; not armed (saying `notStarted`) when no loop was started here. */
export async function workArming(work: string, notStarted: string): Promise<LeaderArming> {
  const reconciler = runningReconciler();
  if (reconciler) return reconciler.arming(work);
  return { armed: false, replica: replicaIdentity(), lease: `${leaseNamespace()}/${LEASE_NAME}`, reason: notStarted };
}

/** The arming of this process's reconciler; not armed when none was started here. */
export const revertArming = (): Promise<RevertArming> => workArming(REVERT_WORK, 'the emergency reconciler was not started in this process');

/** Refuses to begin something that needs an automatic revert while no replica would do it. */
export async function requireArmedRevert(): Promise<RevertArming> {
  const arming = await revertArming();
  if (!arming.armed) throw new ApiError(409, `Automatic revert is not armed: ${arming.reason}. The emergency was not started.`, 'RevertNotArmed');
  return arming;
}
