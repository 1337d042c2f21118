import { describe, expect, it } from 'vitest';
import { destinationsPatch } from './patches';
import { planDestinations } from './route-destinations';
import type { HTTPRoute, VirtualService } from './types';

const subsets = (host: string) => (host === 'reviews' ? ['v1', 'v2', 'v3'] : undefined);
const single: HTTPRoute = { route: [{ destination: { host: 'reviews', subset: 'v1' } }] };

describe('adding and removing destinations', () => {
  it('adds a DestinationRule subset at 0% to a one-destination route (where a canary starts)', () => {
    expect(
      planDestinations(
        single,
        [
          { host: 'reviews', subset: 'v1', weight: 100 },
          { host: 'reviews', subset: 'v2', weight: 0 },
        ],
        subsets,
      ),
    ).toEqual({
      entries: [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 100 },
        { destination: { host: 'reviews', subset: 'v2' }, weight: 0 },
      ],
      problems: [],
    });
  });
  it('keeps a kept destination\u2019s other fields and gives a new one the port of its host', () => {
    const route: HTTPRoute = {
      route: [{ destination: { host: 'reviews', subset: 'v1', port: { number: 9080 } }, weight: 100, headers: { request: { set: { a: 'b' } } } }],
    };
    const plan = planDestinations(
      route,
      [
        { host: 'reviews', subset: 'v1', weight: 90 },
        { host: 'reviews', subset: 'v3', weight: 10 },
      ],
      subsets,
    );
    expect(plan.entries).toEqual([
      { destination: { host: 'reviews', subset: 'v1', port: { number: 9080 } }, weight: 90, headers: { request: { set: { a: 'b' } } } },
      { destination: { host: 'reviews', subset: 'v3', port: { number: 9080 } }, weight: 10 },
    ]);
  });
  it('removes a 0% destination; the one left keeps its weight as written', () => {
    const route: HTTPRoute = {
      route: [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 100 },
        { destination: { host: 'reviews', subset: 'v2' }, weight: 0 },
      ],
    };
    expect(planDestinations(route, [{ host: 'reviews', subset: 'v1', weight: 100 }], subsets).entries).toEqual([
      { destination: { host: 'reviews', subset: 'v1' }, weight: 100 },
    ]);
  });
  it('refuses to remove a destination that takes traffic, and says why', () => {
    const route: HTTPRoute = {
      route: [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
        { destination: { host: 'reviews', subset: 'v2' }, weight: 10 },
      ],
    };
    expect(planDestinations(route, [{ host: 'reviews', subset: 'v1', weight: 100 }], subsets).problems).toEqual([
      "reviews v2 cannot be removed: it takes 10% of this route's traffic. Move its weight to the other destinations and apply that first.",
    ]);
  });
  it('validates as Istio does: several weights sum to 100, one destination takes 100, subsets exist, no duplicates', () => {
    expect(
      planDestinations(
        single,
        [
          { host: 'reviews', subset: 'v1', weight: 90 },
          { host: 'reviews', subset: 'v2', weight: 5 },
        ],
        subsets,
      ).problems,
    ).toEqual(['The weights of a route with several destinations must add up to 100 (they add up to 95).']);
    expect(planDestinations(single, [{ host: 'reviews', subset: 'v1', weight: 50 }], subsets).problems).toEqual([
      "A route's only destination takes all its traffic: its weight is 100, not 50.",
    ]);
    expect(
      planDestinations(
        single,
        [
          { host: 'reviews', subset: 'v1', weight: 100 },
          { host: 'reviews', subset: 'v9', weight: 0 },
        ],
        subsets,
      ).problems,
    ).toEqual(['Subset "v9" is not in the DestinationRule for reviews (it has v1, v2, v3).']);
    expect(
      planDestinations(
        single,
        [
          { host: 'reviews', subset: 'v1', weight: 100 },
          { host: 'ratings', subset: 'v1', weight: 0 },
        ],
        subsets,
      ).problems[0],
    ).toMatch(/No DestinationRule defines subsets for ratings/);
    expect(
      planDestinations(
        single,
        [
          { host: 'reviews', subset: 'v1', weight: 50 },
          { host: 'reviews', subset: 'v1', weight: 50 },
        ],
        subsets,
      ).problems,
    ).toContain('reviews v1 is listed twice.');
    expect(planDestinations(single, [], subsets).problems).toContain('A route needs at least one destination.');
  });
  it('another host without subsets is added without one', () => {
    expect(
      planDestinations(
        single,
        [
          { host: 'reviews', subset: 'v1', weight: 100 },
          { host: 'ratings', weight: 0 },
        ],
        subsets,
      ).entries![1],
    ).toEqual({ destination: { host: 'ratings' }, weight: 0 });
  });
  it('the patch replaces the route list with the resourceVersion precondition and tests the kept hosts', () => {
    const vs: VirtualService = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'bookinfo', resourceVersion: '9' },
      spec: { http: [single] },
    };
    const entries = planDestinations(
      single,
      [
        { host: 'reviews', subset: 'v1', weight: 100 },
        { host: 'reviews', subset: 'v2', weight: 0 },
      ],
      subsets,
    ).entries!;
    expect(destinationsPatch(vs, 0, entries)).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '9' },
      { op: 'test', path: '/spec/http/0/route/0/destination/host', value: 'reviews' },
      { op: 'replace', path: '/spec/http/0/route', value: entries },
    ]);
  });
});
