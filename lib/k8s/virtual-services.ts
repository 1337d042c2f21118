// Reading and changing VirtualServices for the Traffic page: views from the watch-backed
// caches, writes as JSON patches with preconditions.
import { matchPatch, weightPatch, type JsonPatchOp } from '@/lib/mesh/patches';
import { describeMatch, describeSplit, indexSubsets, viewVirtualService, type VirtualServiceView } from '@/lib/mesh/traffic-split';
import type { DestinationRule, HTTPMatchRequest, VirtualService } from '@/lib/mesh/types';
import { cacheFor } from './caches';
import { ApiError } from './errors';
import { destinationRules, virtualServices } from './resources';
import { getObject, jsonPatch, objectAtVersion, type WriteOptions } from './writes';

/**
 * Every VirtualService (in one namespace, or all) as the Traffic page shows it. The items are
 * made one by one as they are read (streamJson writes them as it sends them): at 10,000
 * VirtualServices the views together are several times the size of the cached objects.
 */
export async function listVirtualServiceViews(namespace?: string): Promise<{ items: Iterable<VirtualServiceView>; resourceVersion: string }> {
  const [vsCache, drCache] = await Promise.all([cacheFor<VirtualService>(virtualServices), cacheFor<DestinationRule>(destinationRules)]);
  // DestinationRules may live in other namespaces than the VirtualServices that use them.
  const subsets = indexSubsets(drCache.list());
  const objects = vsCache.list(namespace); // this moment's objects: the cache replaces, never mutates, them
  return { items: (function* () { for (const vs of objects) yield viewVirtualService(vs, subsets); })(), resourceVersion: vsCache.state(namespace).resourceVersion };
}

/** The fresh view of one VirtualService, read from the API itself (after a conflict the cache may lag). */
export async function freshView(namespace: string, name: string): Promise<VirtualServiceView> {
  const [vs, drCache] = await Promise.all([getObject<VirtualService>(virtualServices, namespace, name), cacheFor<DestinationRule>(destinationRules)]);
  return viewVirtualService(vs, drCache.list());
}

/** The VirtualService at the version the edit was based on, with that route. */
async function routeAt(namespace: string, name: string, routeIndex: number, resourceVersion: string): Promise<VirtualService> {
  const vs = await objectAtVersion<VirtualService>(virtualServices, namespace, name, resourceVersion);
  if (!vs) throw new ApiError(404, `VirtualService ${namespace}/${name} does not exist`, 'NotFound');
  if (!vs.spec.http?.[routeIndex]) throw new ApiError(404, `VirtualService ${namespace}/${name} has no http route ${routeIndex} (it has ${vs.spec.http?.length ?? 0})`, 'NotFound');
  return vs;
}

/** What a write did, for the audit trail: the patch, its inverse (with precondition), a summary. */
export interface AppliedChange {
  view: VirtualServiceView;
  patch: JsonPatchOp[];
  revert: JsonPatchOp[];
  summary: string;
}

export interface WeightChange {
  resourceVersion: string;
  weights: { host: string; subset?: string; weight: number }[];
}

/**
 * Sets the weights of one route. The destinations must be exactly the route's own; the
 * write is based on the client's resourceVersion, so a changed object answers 409.
 */
export async function setRouteWeights(namespace: string, name: string, routeIndex: number, change: WeightChange, options: WriteOptions = {}): Promise<AppliedChange> {
  const vs = await routeAt(namespace, name, routeIndex, change.resourceVersion);
  const route = vs.spec.http![routeIndex]!;
  const entries = route.route ?? [];
  const label = (d: { host: string; subset?: string }) => `${d.host}${d.subset ? `/${d.subset}` : ''}`;
  const known = entries.map((e) => label(e.destination));
  const asked = change.weights.map(label);
  const unknown = asked.filter((d) => !known.includes(d));
  if (unknown.length || asked.length !== known.length || new Set(asked).size !== asked.length) {
    throw new ApiError(400, `Route "${route.name ?? routeIndex}" has the destinations ${known.join(', ')}; give one weight for each${unknown.length ? ` (not ${unknown.join(', ')})` : ''}`, 'BadRequest');
  }
  const weights = known.map((d) => change.weights.find((w) => label(w) === d)!.weight);
  const patch = weightPatch(vs, routeIndex, weights);
  const before = viewVirtualService(vs, []).routes[routeIndex]!;
  const updated = await jsonPatch<VirtualService>(virtualServices, namespace, name, patch, options);
  const drCache = await cacheFor<DestinationRule>(destinationRules);
  const view = viewVirtualService(updated, drCache.list());
  const previous = (vs.spec.http![routeIndex]!.route ?? []).map((e) => e.weight ?? 0);
  return {
    view,
    patch,
    revert: weightPatch(updated, routeIndex, previous),
    summary: `${before.name}: ${describeSplit(before.destinations)} → ${describeSplit(view.routes[routeIndex]!.destinations)}`,
  };
}

export async function setRouteMatch(namespace: string, name: string, routeIndex: number, change: { resourceVersion: string; match: HTTPMatchRequest[] }, options: WriteOptions = {}): Promise<AppliedChange> {
  const vs = await routeAt(namespace, name, routeIndex, change.resourceVersion);
  const patch = matchPatch(vs, routeIndex, change.match);
  const previous = vs.spec.http![routeIndex]!.match ?? [];
  const updated = await jsonPatch<VirtualService>(virtualServices, namespace, name, patch, options);
  const drCache = await cacheFor<DestinationRule>(destinationRules);
  const describe = (m: HTTPMatchRequest[]) => (m.length ? m.map(describeMatch).join(' or ') : 'all requests');
  return {
    view: viewVirtualService(updated, drCache.list()),
    patch,
    revert: matchPatch(updated, routeIndex, previous),
    summary: `${vs.spec.http![routeIndex]!.name ?? `route ${routeIndex}`} matches: ${describe(previous)} → ${describe(change.match)}`,
  };
}

export const vsResource = (namespace: string, name: string) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace, name });

