// Rollouts as the API serves them: read from the VirtualService watch cache (a rollout lives in
// its VirtualService's annotation, lib/mesh/rollout.ts), and started or steered by a person with
// one JSON patch on the version that person saw. The rules are the domain's (planProblems,
// startRollout, control, rolloutPatch); this file reads, writes and maps refusals to statuses.
import type { Change } from '@/lib/audit/entry';
import type { JsonPatchOp } from '@/lib/mesh/patches';
import {
  CONFLICT_FIELD,
  control,
  controlRefusal,
  planProblems,
  rolloutAuditChanges,
  rolloutOf,
  rolloutPatch,
  startRollout,
  summarize,
  type RolloutControl,
  type RolloutPlan,
  type RolloutState,
  type RolloutSummary,
  type Transition,
} from '@/lib/mesh/rollout';
import type { DestinationRule, VirtualService } from '@/lib/mesh/types';
import { effectiveWeights } from '@/lib/mesh/weights';
import { rolloutSeries, type RolloutSeries } from '@/lib/metrics/rollout-series';
import { rolloutArming, requireArmedRollouts } from '@/lib/rollout/controller';
import { targetResolver } from '@/lib/rollout/targets';
import type { LeaderArming } from './lease-election';
import { cacheFor } from './caches';
import { ApiError } from './errors';
import { destinationRules, virtualServices } from './resources';
import { getObject, jsonPatch, objectAtVersion, type WriteOptions } from './writes';

/** A rollout with the route it moves, as GET /api/rollouts/{namespace}/{name} answers it. */
export interface RolloutItem {
  namespace: string;
  name: string;
  resourceVersion: string;
  state: RolloutState;
  /** The route's destinations and their weights now. */
  destinations: { host: string; subset?: string; weight: number }[];
}

/** An annotation Meshdeck could not read: reported beside the list, never guessed at. */
export interface RolloutProblem {
  namespace: string;
  name: string;
  problem: string;
}

export interface RolloutList {
  items: RolloutSummary[];
  problems: RolloutProblem[];
  /** Whether a replica's rollout controller holds the Lease (a start is refused while not). */
  controller: LeaderArming;
}

const newestFirst = (a: RolloutSummary, b: RolloutSummary) => b.startedAt.localeCompare(a.startedAt);

/** Every rollout recorded on a VirtualService (one namespace, or all), newest first. */
export async function listRollouts(namespace?: string): Promise<RolloutList> {
  const [cache, controller] = await Promise.all([cacheFor<VirtualService>(virtualServices), rolloutArming()]);
  const items: RolloutSummary[] = [];
  const problems: RolloutProblem[] = [];
  for (const vs of cache.list(namespace)) {
    const found = rolloutOf(vs);
    if (!found) continue;
    const { namespace: ns, name, resourceVersion } = vs.metadata;
    if ('problem' in found) problems.push({ namespace: ns, name, problem: found.problem });
    else items.push(summarize(ns, name, resourceVersion, found.state));
  }
  return { items: items.sort(newestFirst), problems, controller };
}

/** The rollout of one VirtualService with its route's destinations now; 404 when it has none. */
export function rolloutItem(vs: VirtualService): RolloutItem {
  const { namespace, name, resourceVersion } = vs.metadata;
  const found = rolloutOf(vs);
  if (!found) throw new ApiError(404, `VirtualService ${namespace}/${name} has no rollout`, 'NotFound');
  if ('problem' in found) throw new ApiError(422, `VirtualService ${namespace}/${name}: ${found.problem}`, 'Invalid');
  const entries = vs.spec.http?.[found.state.plan.route]?.route ?? [];
  const weights = effectiveWeights(entries.map((e) => e.weight));
  const destinations = entries.map(({ destination: { host, subset } }, i) => ({ host, ...(subset !== undefined ? { subset } : {}), weight: weights[i]! }));
  return { namespace, name, resourceVersion, state: found.state, destinations };
}

/** One rollout from the watch cache, with whether the controller is armed. */
export async function readRollout(namespace: string, name: string): Promise<{ item: RolloutItem; controller: LeaderArming }> {
  const [cache, controller] = await Promise.all([cacheFor<VirtualService>(virtualServices), rolloutArming()]);
  const vs = cache.get(namespace, name);
  if (!vs) throw new ApiError(404, `VirtualService ${namespace}/${name} does not exist`, 'NotFound');
  return { item: rolloutItem(vs), controller };
}

/**
 * A step's gate charts from Prometheus. The destinations are resolved to Istio's service and
 * version labels as the controller resolves them (lib/rollout/targets) at this moment's DestinationRules.
 */
export async function readRolloutSeries(namespace: string, name: string, step: number): Promise<RolloutSeries> {
  const [{ item }, rules] = await Promise.all([readRollout(namespace, name), cacheFor<DestinationRule>(destinationRules)]);
  const { plan } = item.state;
  if (step > plan.steps.length) throw new ApiError(404, `The rollout has ${plan.steps.length} steps and the promotion (step ${plan.steps.length + 1}), no step ${step + 1}`, 'NotFound');
  const targets = targetResolver(rules.list())(plan, namespace);
  if ('problem' in targets) throw new ApiError(422, `The gate charts cannot be drawn: ${targets.problem}`, 'Invalid');
  return rolloutSeries(item.state, step, targets);
}

/** The rollout read from the API itself, for a 409's `current` (after a conflict the cache may lag). */
export async function freshRollout(namespace: string, name: string): Promise<RolloutItem> {
  return rolloutItem(await getObject<VirtualService>(virtualServices, namespace, name));
}

/** What a rollout write did, for auditedWrite. */
export interface RolloutWrite {
  item: RolloutItem;
  patch: JsonPatchOp[];
  /** Empty: a rollout is undone with its own controls, never by replaying the patch backwards (lib/audit/entry revertRefusal). */
  revert: JsonPatchOp[];
  /** What the audit entry keeps: the weights that moved and the rollout before and after, in words (not the whole annotation). */
  changes: Change[];
  summary: string;
  resourceVersion: string;
}

async function objectAt(namespace: string, name: string, resourceVersion: string): Promise<VirtualService> {
  const vs = await objectAtVersion<VirtualService>(virtualServices, namespace, name, resourceVersion);
  if (!vs) throw new ApiError(404, `VirtualService ${namespace}/${name} does not exist`, 'NotFound');
  return vs;
}

/** Writes a transition as one JSON patch (resourceVersion precondition, route tests, annotation). */
async function writeTransition(vs: VirtualService, transition: Transition, options: WriteOptions): Promise<RolloutWrite> {
  const { namespace, name } = vs.metadata;
  const patch = rolloutPatch(vs, transition);
  const updated = await jsonPatch<VirtualService>(virtualServices, namespace, name, patch, options);
  return {
    item: rolloutItem(updated),
    patch,
    revert: [],
    changes: rolloutAuditChanges(vs, transition),
    summary: transition.summary,
    resourceVersion: updated.metadata.resourceVersion,
  };
}

export interface StartInput {
  resourceVersion: string;
  reason: string;
  plan: RolloutPlan;
}

/**
 * Starts a rollout on a route of the VirtualService as the person saw it. A plan that does not
 * fit the route is a 400 naming the field; a route another controller owns, a rollout already
 * running, or a rollout controller that is not armed (nothing would move or roll back) a 409.
 */
export async function beginRollout(namespace: string, name: string, input: StartInput, by: string, options: WriteOptions = {}): Promise<RolloutWrite> {
  const vs = await objectAt(namespace, name, input.resourceVersion);
  const problems = planProblems(vs, input.plan);
  // The object's state (another controller owns it, a rollout runs) is a conflict; the plan's own faults are the request's.
  const conflicts = problems.filter((p) => p.field === CONFLICT_FIELD);
  if (conflicts.length) throw new ApiError(409, conflicts.map((p) => p.message).join('; '), 'Conflict');
  if (problems.length) {
    const message = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    const fields: Record<string, string> = {};
    for (const p of problems) fields[p.field] = fields[p.field] ? `${fields[p.field]}; ${p.message}` : p.message;
    throw new ApiError(400, message, 'BadRequest', { fields });
  }
  await requireArmedRollouts();
  return writeTransition(vs, startRollout(vs, input.plan, { by, reason: input.reason, now: new Date() }), options);
}

/** pause, resume, abort, skip, promote or acknowledge, on the version the person saw. */
export async function steerRollout(
  namespace: string,
  name: string,
  action: RolloutControl,
  input: { resourceVersion: string; reason: string },
  by: string,
  options: WriteOptions = {},
): Promise<RolloutWrite> {
  const vs = await objectAt(namespace, name, input.resourceVersion);
  const { state } = rolloutItem(vs);
  // The phase does not allow it (someone else acted first, or it ended): the current state comes with the 409.
  const refusal = controlRefusal(state, action);
  if (refusal) throw new ApiError(409, refusal, 'Conflict');
  const transition = control(state, action, { by, reason: input.reason, now: new Date() });
  return writeTransition(vs, transition, options);
}

