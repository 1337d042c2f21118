// Reading and changing VirtualServices for the Traffic page: views from the watch-backed
// caches, writes as JSON patches with preconditions.
import type { EndpointLookup } from '@/lib/mesh/blue-green';
import { DEFAULT_CANARY_VERSIONS } from '@/lib/mesh/canary';
import { serviceKey, shortHost } from '@/lib/mesh/hosts';
import { destinationsPatch, matchPatch, weightPatch, type JsonPatchOp } from '@/lib/mesh/patches';
import { planDestinations, type DestinationInput } from '@/lib/mesh/route-destinations';
import { describeMatch, describeSplit, indexSubsets, viewVirtualService, type VirtualServiceView } from '@/lib/mesh/traffic-split';
import type { DestinationRule, HTTPMatchRequest, VirtualService } from '@/lib/mesh/types';
import { cacheFor } from './caches';
import { ApiError } from './errors';
import { endpointCounter } from './resilience';
import { destinationRules, virtualServices } from './resources';
import { getObject, jsonPatch, objectAtVersion, type WriteOptions } from './writes';

/**
 * Every VirtualService (in one namespace, or all) as the Traffic page shows it. The items are
 * made one by one as they are read (streamJson writes them as it sends them): at 10,000
 * VirtualServices the views together are several times the size of the cached objects.
 */
export async function listVirtualServiceViews(namespace?: string, canaryVersionsFor: (namespace: string) => string = () => DEFAULT_CANARY_VERSIONS): Promise<{ items: Iterable<VirtualServiceView>; resourceVersion: string }> {
  const [vsCache, drCache, endpoints] = await Promise.all([cacheFor<VirtualService>(virtualServices), cacheFor<DestinationRule>(destinationRules), subsetEndpoints()]);
  // DestinationRules may live in other namespaces than the VirtualServices that use them.
  const subsets = indexSubsets(drCache.list());
  const objects = vsCache.list(namespace); // this moment's objects: the cache replaces, never mutates, them
  return { items: (function* () { for (const vs of objects) yield viewVirtualService(vs, subsets, endpoints(vs.metadata.namespace), canaryVersionsFor(vs.metadata.namespace)); })(), resourceVersion: vsCache.state(namespace).resourceVersion };
}

/**
 * Endpoints of a subset and of its service, for the blue-green rule (lib/mesh/blue-green). Asked
 * only for two-subset routes at 100/0 that no annotation or subset name decides, and remembered
 * per answer.
 */
async function subsetEndpoints(): Promise<(namespace: string) => EndpointLookup> {
  // Without Pods or Services (no permission, API down) the page still works; the rule then relies on annotations and names.
  const [drCache, count] = await Promise.all([cacheFor<DestinationRule>(destinationRules), endpointCounter().catch(() => undefined)]);
  if (!count) return () => () => undefined;
  const labels = new Map<string, Map<string, Record<string, string>>>(); // service key → subset → labels
  for (const rule of drCache.list()) {
    const key = serviceKey(rule.spec.host, rule.metadata.namespace);
    const subsets = labels.get(key) ?? labels.set(key, new Map()).get(key)!;
    for (const s of rule.spec.subsets ?? []) subsets.set(s.name, s.labels ?? {});
  }
  const known = new Map<string, ReturnType<EndpointLookup>>();
  return (namespace) => (host, subset) => {
    const key = serviceKey(host, namespace);
    const memo = `${key}/${subset}`;
    if (known.has(memo)) return known.get(memo);
    const subsetLabels = labels.get(key)?.get(subset);
    const [name, ns] = key.split('.');
    const answer = subsetLabels && ns && !key.includes('.', name!.length + 1) ? { subset: count(ns, name!, subsetLabels), service: count(ns, name!) } : undefined;
    known.set(memo, answer);
    return answer;
  };
}

/** The view of one VirtualService with what the cluster has now (subsets, endpoints). */
async function currentView(vs: VirtualService): Promise<VirtualServiceView> {
  const [drCache, endpoints] = await Promise.all([cacheFor<DestinationRule>(destinationRules), subsetEndpoints()]);
  return viewVirtualService(vs, drCache.list(), endpoints(vs.metadata.namespace));
}

/** The fresh view of one VirtualService, read from the API itself (after a conflict the cache may lag). */
export async function freshView(namespace: string, name: string): Promise<VirtualServiceView> {
  return currentView(await getObject<VirtualService>(virtualServices, namespace, name));
}

/** A host a route can send traffic to, and its DestinationRule subsets (for "Add destination"). */
export interface DestinationOption {
  host: string;
  service: string;
  subsets: string[];
}

/** The hosts of the DestinationRules in a namespace with their subsets, sorted by service. */
export async function destinationOptions(namespace: string): Promise<DestinationOption[]> {
  const drCache = await cacheFor<DestinationRule>(destinationRules);
  const byHost = new Map<string, DestinationOption>();
  for (const rule of drCache.list(namespace)) {
    const option = byHost.get(rule.spec.host) ?? byHost.set(rule.spec.host, { host: rule.spec.host, service: shortHost(rule.spec.host), subsets: [] }).get(rule.spec.host)!;
    option.subsets.push(...(rule.spec.subsets ?? []).map((s) => s.name).filter((s) => !option.subsets.includes(s)));
  }
  return [...byHost.values()].sort((a, b) => a.service.localeCompare(b.service));
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
  const view = await currentView(updated);
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
  const describe = (m: HTTPMatchRequest[]) => (m.length ? m.map(describeMatch).join(' or ') : 'all requests');
  return {
    view: await currentView(updated),
    patch,
    revert: matchPatch(updated, routeIndex, previous),
    summary: `${vs.spec.http![routeIndex]!.name ?? `route ${routeIndex}`} matches: ${describe(previous)} → ${describe(change.match)}`,
  };
}

/**
 * Replaces a route's destinations: adds one (at the weight given, 0 % to start a canary) or
 * removes one that takes no traffic, on the version the person edited (else 409).
 */
export async function setRouteDestinations(namespace: string, name: string, routeIndex: number, change: { resourceVersion: string; destinations: DestinationInput[] }, options: WriteOptions = {}): Promise<AppliedChange> {
  const vs = await routeAt(namespace, name, routeIndex, change.resourceVersion);
  const route = vs.spec.http![routeIndex]!;
  const subsets = indexSubsets((await cacheFor<DestinationRule>(destinationRules)).list());
  const plan = planDestinations(route, change.destinations, (host) => subsets.get(serviceKey(host, namespace)));
  if (!plan.entries) throw new ApiError(400, plan.problems.join(' '), 'BadRequest');
  const patch = destinationsPatch(vs, routeIndex, plan.entries);
  const before = viewVirtualService(vs, []).routes[routeIndex]!;
  const updated = await jsonPatch<VirtualService>(virtualServices, namespace, name, patch, options);
  const view = await currentView(updated);
  return {
    view,
    patch,
    revert: destinationsPatch(updated, routeIndex, route.route ?? []),
    summary: `${before.name}: ${describeSplit(before.destinations)} → ${describeSplit(view.routes[routeIndex]!.destinations)}`,
  };
}

export const vsResource = (namespace: string, name: string) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace, name });

