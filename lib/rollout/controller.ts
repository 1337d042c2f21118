// The rollout controller: each tick of the Lease holder, every progressing rollout on a
// VirtualService of the watch cache either pauses (someone else changed its route), or, when a
// check is due, has its gates measured (all due rollouts together) and moves on as the
// decision functions of lib/mesh/rollout say. Every transition is ONE JSON patch with the
// resourceVersion precondition (rolloutPatch), so two replicas, a restarted one or a person
// never write over each other: the loser of a race gets a conflict and decides again on the
// next tick from what the cluster then holds. It runs in the emergency reconciler's Lease loop
// (same Lease), isolated from the reverts, and says whether it is armed.
import { newEntry, recordAudit } from '@/lib/audit/audit';
import { serverEnv, type ServerEnv } from '@/lib/env';
import { cacheFor } from '@/lib/k8s/caches';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import type { LeaderArming, LeaderWork } from '@/lib/k8s/lease-election';
import { destinationRules, virtualServices } from '@/lib/k8s/resources';
import { getObject, jsonPatch } from '@/lib/k8s/writes';
import {
  afterCheck,
  checkDue,
  CONTROLLER_ACTOR,
  foreignChange,
  gateThresholds,
  pauseForForeignChange,
  rolloutAuditChanges,
  rolloutOf,
  rolloutPatch,
  verdictOf,
  type RolloutCheck,
  type RolloutState,
  type Transition,
} from '@/lib/mesh/rollout';
import type { DestinationRule, VirtualService } from '@/lib/mesh/types';
import { measureRollouts, type GateRequest, type GateResult } from '@/lib/metrics/rollout';
import { startEmergencyReconciler, workArming, type ReconcilerOptions } from '@/lib/security/emergency-reconciler';
import { targetResolver } from './targets';

/** The rollouts' name among the works sharing the Lease (and in /api/readyz). */
export const ROLLOUT_WORK = 'rollout-controller';

const actor = { user: CONTROLLER_ACTOR, role: 'system' };

const keyOf = (vs: VirtualService) => `${vs.metadata.namespace}/${vs.metadata.name}`;

/**
 * Versions of each VirtualService this replica knows to be old: those it wrote over, or met a
 * conflict on. While the cache still shows one of them it lags behind the cluster: the object
 * is read fresh instead of deciding again from what is known to be old.
 */
const knownOld = new Map<string, Set<string>>();
const markOld = (vs: VirtualService) => (knownOld.get(keyOf(vs)) ?? knownOld.set(keyOf(vs), new Set()).get(keyOf(vs))!).add(vs.metadata.resourceVersion);

/** The VirtualService to decide on: the cached one, or a fresh read while the cache lags behind our last write or conflict. */
async function current(cached: VirtualService): Promise<VirtualService | undefined> {
  const key = keyOf(cached);
  if (!knownOld.get(key)?.has(cached.metadata.resourceVersion)) {
    knownOld.delete(key); // the cache caught up (or never lagged)
    return cached;
  }
  try {
    return await getObject<VirtualService>(virtualServices, cached.metadata.namespace, cached.metadata.name);
  } catch (error) {
    if (toApiError(error).status === 404) return undefined; // deleted meanwhile
    throw error;
  }
}

/** Whether a transition changes what the route serves or the rollout's phase: those are audited. */
const moves = (before: RolloutState, transition: Transition) => transition.weights !== undefined || transition.state.phase !== before.phase;

/**
 * Writes one transition as one JSON patch based on the version it was decided from. A conflict
 * is not an error: someone (a person, another replica) wrote first, and the next tick decides
 * again from the fresh object. Transitions that move weights or the phase get an audit entry
 * (and its Event on the VirtualService).
 */
async function write(vs: VirtualService, before: RolloutState, transition: Transition): Promise<void> {
  const { namespace, name } = vs.metadata;
  const patch = rolloutPatch(vs, transition);
  let updated: VirtualService;
  try {
    updated = await jsonPatch<VirtualService>(virtualServices, namespace, name, patch);
  } catch (error) {
    const apiError = toApiError(error);
    if (apiError.status !== 409) throw apiError;
    markOld(vs);
    console.info(`[${ROLLOUT_WORK}] ${namespace}/${name} changed while deciding (${transition.action}); deciding again on the next tick: ${apiError.message}`);
    return;
  }
  markOld(vs);
  if (!moves(before, transition)) return;
  await recordAudit(
    newEntry({
      ...actor,
      action: `rollout.${transition.action}`,
      resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace, name },
      summary: transition.summary,
      reason: `rollout started by ${before.startedBy}: ${before.reason}`,
      changes: rolloutAuditChanges(vs, transition),
      result: 'applied',
      resourceVersion: updated.metadata.resourceVersion,
    }),
  );
}

/** A progressing rollout whose gates are due, with what to measure or why its gates cannot be measured. */
interface DueCheck {
  vs: VirtualService;
  state: RolloutState;
  measure: GateRequest | { problem: string };
}

/** A check that could not measure: every gate without data, holding, and why. */
function unmeasured(state: RolloutState, at: Date, error: string): RolloutCheck {
  const measurements = gateThresholds(state.plan.gates).map((t) => ({ ...t, value: null, verdict: 'hold' as const }));
  return { at: at.toISOString(), verdict: 'hold', measurements, error };
}

/** A check from its measurements: their verdict, and why some could not be measured. */
const measured = ({ measurements, error }: GateResult, at: Date): RolloutCheck => ({
  at: at.toISOString(),
  verdict: verdictOf(measurements),
  measurements,
  ...(error ? { error } : {}),
});

const failure = (vs: Pick<VirtualService, 'metadata'>, error: unknown) => `${vs.metadata.namespace}/${vs.metadata.name}: ${toApiError(error).message}`;

/**
 * One round over every rollout (the Lease holder's tick). A rollout that cannot be written
 * (no permission, an invalid patch) does not stop the others; the round then fails naming
 * each, which disarms the controller with that reason until a round works again.
 */
export async function reconcileRollouts(now: number): Promise<void> {
  const [vsCache, drCache] = await Promise.all([cacheFor<VirtualService>(virtualServices), cacheFor<DestinationRule>(destinationRules)]);
  const at = new Date(now);
  const failures: string[] = [];
  const due: DueCheck[] = [];
  let resolve: ReturnType<typeof targetResolver> | undefined;
  const progressing = new Set<string>();
  for (const cached of vsCache.list()) {
    const found = rolloutOf(cached);
    // Paused, ended or unreadable rollouts wait for a person (unreadable ones are listed as problems).
    if (!found || 'problem' in found || found.state.phase !== 'Progressing') continue;
    progressing.add(keyOf(cached));
    try {
      const vs = await current(cached);
      const fresh = vs && rolloutOf(vs);
      if (!vs || !fresh || 'problem' in fresh || fresh.state.phase !== 'Progressing') continue;
      const { state } = fresh;
      const changed = foreignChange(state, vs);
      if (changed) {
        await write(vs, state, pauseForForeignChange(state, changed, at));
        continue;
      }
      if (!checkDue(state, at)) continue;
      resolve ??= targetResolver(drCache.list()); // built once per round, only when a check is due
      const targets = resolve(state.plan, vs.metadata.namespace);
      due.push({ vs, state, measure: 'problem' in targets ? targets : { plan: state.plan, targets, stepStartedAt: state.stepStartedAt } });
    } catch (error) {
      failures.push(failure(cached, error));
    }
  }
  // Only rollouts still progressing in the cache can be decided from an old version.
  for (const key of knownOld.keys()) if (!progressing.has(key)) knownOld.delete(key);
  const requests = due.flatMap((d) => ('problem' in d.measure ? [] : [d.measure]));
  const results = requests.length ? await measureRollouts(requests, now) : [];
  for (const { vs, state, measure } of due) {
    const check =
      'problem' in measure ? unmeasured(state, at, `the gates cannot be measured: ${measure.problem}`) : measured(results[requests.indexOf(measure)]!, at);
    try {
      await write(vs, state, afterCheck(state, check, at));
    } catch (error) {
      failures.push(failure(vs, error));
    }
  }
  if (failures.length) throw new ApiError(500, `rollouts not carried on: ${failures.join('; ')}`, 'RolloutRoundFailed');
}

/** The rollouts as a work of the Lease loop. */
export const rolloutWork: LeaderWork = { name: ROLLOUT_WORK, run: () => reconcileRollouts(Date.now()) };

/**
 * Starts this process's Lease loop with both works, the emergency reverts and the rollouts
 * (instrumentation.ts; run-controller.ts for tests). The holder runs both, so a replica with
 * either switched off (MESHDECK_EMERGENCY_RECONCILER=0, MESHDECK_ROLLOUT_CONTROLLER=0) only
 * watches the Lease, to say who holds it.
 */
export function startLeaderWorks(
  env: Pick<ServerEnv, 'MESHDECK_EMERGENCY_RECONCILER' | 'MESHDECK_ROLLOUT_CONTROLLER'> = serverEnv(),
  options: Omit<ReconcilerOptions, 'works' | 'observeOnly'> = {},
) {
  const observeOnly = env.MESHDECK_EMERGENCY_RECONCILER === '0' || env.MESHDECK_ROLLOUT_CONTROLLER === '0';
  return startEmergencyReconciler({ ...options, observeOnly, works: [rolloutWork] });
}

/** Whether rollouts will be carried on, as the Rollouts pages and /api/readyz say it. */
export const rolloutArming = (): Promise<LeaderArming> => workArming(ROLLOUT_WORK, 'the rollout controller was not started in this process');

/** Refuses to start a rollout while no replica would carry it on (409 with the reason). */
export async function requireArmedRollouts(): Promise<LeaderArming> {
  const arming = await rolloutArming();
  if (!arming.armed)
    throw new ApiError(409, `The rollout controller is not armed: ${arming.reason}. The rollout was not started.`, 'RolloutControllerNotArmed');
  return arming;
}
