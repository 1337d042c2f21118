// JSON patches for VirtualService edits. Each carries the resourceVersion it was based on
// (so the API server answers 409 if the object changed) and `test` ops on what it assumes.
import type { HTTPMatchRequest, HTTPRouteDestination, VirtualService } from './types';

export type JsonPatchOp = { op: 'test' | 'replace' | 'add' | 'remove'; path: string; value?: unknown };

function preconditions(vs: VirtualService, routeIndex: number): JsonPatchOp[] {
  const route = vs.spec.http?.[routeIndex];
  if (!route) throw new RangeError(`route ${routeIndex} does not exist in ${vs.metadata.name}`);
  return [
    // A resourceVersion in a patch is a precondition: a changed object gets 409 Conflict.
    { op: 'replace', path: '/metadata/resourceVersion', value: vs.metadata.resourceVersion },
    ...(route.name !== undefined ? [{ op: 'test' as const, path: `/spec/http/${routeIndex}/name`, value: route.name }] : []),
  ];
}

/** Sets a route's destination weights; `weights` follow the route's destination order. */
export function weightPatch(vs: VirtualService, routeIndex: number, weights: number[]): JsonPatchOp[] {
  const route = vs.spec.http?.[routeIndex];
  const entries = route?.route ?? [];
  if (entries.length !== weights.length) throw new RangeError(`route ${routeIndex} has ${entries.length} destinations, not ${weights.length}`);
  return [
    ...preconditions(vs, routeIndex),
    ...entries.flatMap((entry, i): JsonPatchOp[] => [
      { op: 'test', path: `/spec/http/${routeIndex}/route/${i}/destination/host`, value: entry.destination.host },
      ...(entry.destination.subset !== undefined
        ? [{ op: 'test' as const, path: `/spec/http/${routeIndex}/route/${i}/destination/subset`, value: entry.destination.subset }]
        : []),
      { op: entry.weight === undefined ? 'add' : 'replace', path: `/spec/http/${routeIndex}/route/${i}/weight`, value: weights[i] },
    ]),
  ];
}

/** Replaces a route's match blocks. */
export function matchPatch(vs: VirtualService, routeIndex: number, match: HTTPMatchRequest[]): JsonPatchOp[] {
  const route = vs.spec.http![routeIndex]!;
  const path = `/spec/http/${routeIndex}/match`;
  const change: JsonPatchOp = match.length === 0 ? { op: 'remove', path } : { op: route.match ? 'replace' : 'add', path, value: match };
  if (match.length === 0 && !route.match) return preconditions(vs, routeIndex);
  return [...preconditions(vs, routeIndex), change];
}

/** Replaces a route's destination list (adding or removing a destination); the kept ones are tested. */
export function destinationsPatch(vs: VirtualService, routeIndex: number, entries: HTTPRouteDestination[]): JsonPatchOp[] {
  const current = vs.spec.http?.[routeIndex]?.route ?? [];
  return [
    ...preconditions(vs, routeIndex),
    ...current.map((entry, i): JsonPatchOp => ({ op: 'test', path: `/spec/http/${routeIndex}/route/${i}/destination/host`, value: entry.destination.host })),
    { op: current.length ? 'replace' : 'add', path: `/spec/http/${routeIndex}/route`, value: entries },
  ];
}

/** Applies weights to a copy of the VirtualService, for the diff preview. */
export function withWeights(vs: VirtualService, routeIndex: number, weights: number[]): VirtualService {
  const copy = structuredClone(vs);
  copy.spec.http![routeIndex]!.route!.forEach((entry, i) => (entry.weight = weights[i]));
  return copy;
}

export function withMatch(vs: VirtualService, routeIndex: number, match: HTTPMatchRequest[]): VirtualService {
  const copy = structuredClone(vs);
  if (match.length) copy.spec.http![routeIndex]!.match = match;
  else delete copy.spec.http![routeIndex]!.match;
  return copy;
}
