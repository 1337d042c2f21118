import { describe, expect, it } from 'vitest';
import { matchPatch, weightPatch, withWeights } from './patches';
import { BUILTIN_PRESETS, ROLLOUT_ANNOTATION, encodeRollout, startRollout } from './rollout';
import { describeMatch, releasePresets, releaseRoles, viewVirtualService } from './traffic-split';
import type { DestinationRule, VirtualService } from './types';

const vs: VirtualService = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'nutrition-service-canary', namespace: 'shop', resourceVersion: '42' },
  spec: {
    hosts: ['nutrition-service'],
    http: [
      {
        name: 'beta',
        match: [{ uri: { prefix: '/api' }, headers: { 'x-user-tier': { exact: 'beta' }, 'x-canary-enabled': { exact: 'true' } } }],
        route: [
          { destination: { host: 'nutrition-service', subset: 'stable' }, weight: 0 },
          { destination: { host: 'nutrition-service', subset: 'canary' }, weight: 100 },
        ],
      },
      {
        name: 'eu',
        match: [{ headers: { 'cloudfront-viewer-country': { regex: 'DE|FR' } } }],
        route: [{ destination: { host: 'nutrition-service', subset: 'eu' } }],
        timeout: '45s',
        retries: { attempts: 2, perTryTimeout: '20s' },
      },
      {
        name: 'default-split',
        route: [
          { destination: { host: 'nutrition-service.shop.svc.cluster.local', subset: 'stable' }, weight: 95 },
          { destination: { host: 'nutrition-service', subset: 'canary' }, weight: 5 },
        ],
        mirror: { host: 'shadow' },
        mirrorPercentage: { value: 10 },
      },
    ],
  },
};
const dr: DestinationRule = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'n', namespace: 'shop', resourceVersion: '7' },
  spec: { host: 'nutrition-service', subsets: [{ name: 'stable' }, { name: 'canary' }] },
};

describe('reading a VirtualService', () => {
  const view = viewVirtualService(vs, [dr]);

  it('renders matches as readable rules', () => {
    expect(view.routes[0]!.rules).toEqual(['path starts with /api and x-user-tier = beta and x-canary-enabled = true']);
    expect(describeMatch({ headers: { 'x-ab-test': { regex: 'a|b' } }, withoutHeaders: { 'x-debug': {} } })).toBe(
      'x-ab-test matches /a|b/ and not x-debug is present',
    );
    expect(view.routes[2]!.rules).toEqual(['all requests']);
  });

  it('derives strategies from the rules', () => {
    expect(view.routes.map((r) => r.strategy)).toEqual(['canary', 'geo', 'canary']);
    expect(view.strategies).toEqual(['canary', 'geo']);
    const flagged = viewVirtualService(
      { ...vs, spec: { http: [{ match: [{ headers: { 'x-chaos-experiment': { exact: 'on' } } }], route: [{ destination: { host: 'x' } }] }] } },
      [],
    );
    expect(flagged.routes[0]!.strategy).toBe('header flag');
    const ab = viewVirtualService(
      { ...vs, spec: { http: [{ match: [{ headers: { 'x-ab-test': { exact: 'b' } } }], route: [{ destination: { host: 'x' } }] }] } },
      [],
    );
    expect(ab.routes[0]!.strategy).toBe('A/B');
  });

  it('resolves subsets against the DestinationRule and warns for a missing one', () => {
    expect(view.routes[2]!.destinations.map((d) => d.warning)).toEqual([undefined, undefined]);
    expect(view.routes[1]!.destinations[0]!.warning).toContain('Subset "eu" is not in the DestinationRule for nutrition-service');
    expect(viewVirtualService(vs, []).routes[2]!.destinations[0]!.warning).toContain('No DestinationRule');
  });

  it('shows weights, mirrors, timeouts, retries, blue-green candidates', () => {
    const [beta, eu, split] = view.routes;
    expect(split!.destinations.map((d) => d.weight)).toEqual([95, 5]);
    expect(split!.mirrors).toEqual([{ host: 'shadow', subset: undefined, percent: 10 }]);
    expect([eu!.timeout, eu!.retries]).toEqual(['45s', '2 retries × 20s']);
    expect(eu!.destinations[0]!.weight).toBe(100);
    // The beta cohort's 0/100 is a canary (default-split sends to both subsets), not a blue-green switch.
    expect([beta!.weighted, beta!.blueGreen, split!.blueGreen, eu!.weighted]).toEqual([true, false, false, false]);
    expect(beta!.blueGreenWhy).toBe('Not a blue-green switch: route default-split sends traffic to stable and canary at once (a canary or A/B test).');
  });

  it('marks VirtualServices owned by Flagger or Argo Rollouts', () => {
    expect(view.managedBy).toBeUndefined();
    const flagger = {
      ...vs,
      metadata: { ...vs.metadata, ownerReferences: [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'podinfo', controller: true }] },
    };
    expect(viewVirtualService(flagger, [dr]).managedBy).toContain('Flagger');
    const argo = { ...vs, metadata: { ...vs.metadata, ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web' }] } };
    expect(viewVirtualService(argo, [dr]).managedBy).toContain('Argo Rollouts');
  });

  it('shows the rollout its annotation records, and an annotation it cannot read as a problem', () => {
    const { name: _name, description: _description, services: _services, ...preset } = BUILTIN_PRESETS[0]!;
    const plan = {
      ...preset,
      route: 2,
      stable: { host: 'nutrition-service.shop.svc.cluster.local', subset: 'stable' },
      candidate: { host: 'nutrition-service', subset: 'canary' },
    };
    const { state } = startRollout(vs, plan, { by: 'ada', reason: 'release 2', now: new Date('2026-11-26T12:00:00Z') });
    const annotated = (value: string) => viewVirtualService({ ...vs, metadata: { ...vs.metadata, annotations: { [ROLLOUT_ANNOTATION]: value } } }, [dr]);
    expect(annotated(encodeRollout(state)).rollout).toMatchObject({
      route: 2,
      routeName: 'default-split',
      phase: 'Progressing',
      headline: 'Progressing, step 1 of 5 (5 %)',
    });
    expect(annotated('{').rolloutProblem).toBe(`annotation ${ROLLOUT_ANNOTATION} is not JSON`);
    expect([
      view.rollout,
      view.rolloutProblem,
      view.routes[2]!.declaredName,
      viewVirtualService({ ...vs, spec: { http: [{ route: [] }] } }, []).routes[0]!.declaredName,
    ]).toEqual([undefined, undefined, 'default-split', undefined]);
  });

  it('finds the stable and the new version', () => {
    expect(releaseRoles(['stable', 'canary'])).toEqual({ stable: 0, candidate: 1 });
    expect(releaseRoles(['blue', 'green'])).toEqual({ stable: 0, candidate: 1 });
    expect(releaseRoles(['canary', 'stable'])).toEqual({ stable: 1, candidate: 0 });
    expect(releaseRoles(['v1', 'v2', 'v3'])).toEqual({ stable: 0, candidate: 1 });
  });
});

describe('patch building', () => {
  it('sets weights with the resourceVersion precondition and tests on what it assumes', () => {
    expect(weightPatch(vs, 2, [75, 25])).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '42' },
      { op: 'test', path: '/spec/http/2/name', value: 'default-split' },
      { op: 'test', path: '/spec/http/2/route/0/destination/host', value: 'nutrition-service.shop.svc.cluster.local' },
      { op: 'test', path: '/spec/http/2/route/0/destination/subset', value: 'stable' },
      { op: 'replace', path: '/spec/http/2/route/0/weight', value: 75 },
      { op: 'test', path: '/spec/http/2/route/1/destination/host', value: 'nutrition-service' },
      { op: 'test', path: '/spec/http/2/route/1/destination/subset', value: 'canary' },
      { op: 'replace', path: '/spec/http/2/route/1/weight', value: 25 },
    ]);
  });

  it('adds a weight where the destination had none, and refuses a wrong count', () => {
    const three = structuredClone(vs);
    three.spec.http![2]!.route!.push({ destination: { host: 'nutrition-service', subset: 'v3' } });
    expect(weightPatch(three, 2, [50, 25, 25]).at(-1)).toEqual({ op: 'add', path: '/spec/http/2/route/2/weight', value: 25 });
    expect(() => weightPatch(vs, 2, [100])).toThrow(/2 destinations/);
  });

  it('previews the result and edits matches', () => {
    expect(withWeights(vs, 2, [50, 50]).spec.http![2]!.route!.map((r) => r.weight)).toEqual([50, 50]);
    expect(vs.spec.http![2]!.route![0]!.weight).toBe(95);
    expect(matchPatch(vs, 0, []).at(-1)).toEqual({ op: 'remove', path: '/spec/http/0/match' });
    expect(matchPatch(vs, 2, [{ headers: { 'x-flag': { exact: 'on' } } }]).at(-1)).toEqual({
      op: 'add',
      path: '/spec/http/2/match',
      value: [{ headers: { 'x-flag': { exact: 'on' } } }],
    });
  });
});

describe('release presets', () => {
  const dest = (...subsets: string[]) => subsets.map((subset) => ({ subset, service: 'reviews' }));
  it('a two-way split has promote, steps and rollback for its candidate', () => {
    const presets = releasePresets(dest('stable', 'canary'), [95, 5]);
    expect(presets.map((p) => p.label)).toEqual(['Promote canary', 'canary 5%', 'canary 10%', 'canary 25%', 'canary 50%', 'Roll back to stable']);
    expect(presets.find((p) => p.label === 'canary 25%')!.weights).toEqual([75, 25]);
  });
  it('a three-way split has presets for every candidate subset, v3 included', () => {
    const presets = releasePresets(dest('v1', 'v2', 'v3'), [80, 10, 10]);
    expect(presets.map((p) => p.label)).toEqual([
      'Promote v2',
      'v2 5%',
      'v2 10%',
      'v2 25%',
      'v2 50%',
      'Promote v3',
      'v3 5%',
      'v3 10%',
      'v3 25%',
      'v3 50%',
      'Roll back to v1',
    ]);
    expect(presets.find((p) => p.label === 'Promote v3')!.weights).toEqual([0, 0, 100]);
    const v3 = presets.find((p) => p.label === 'v3 25%')!.weights;
    expect(v3[2]).toBe(25);
    expect(v3.reduce((a, b) => a + b)).toBe(100);
  });
  it('a single destination has none', () => {
    expect(releasePresets(dest('v1'), [100])).toEqual([]);
  });
});

describe('the canary comes from the one configured rule (lib/mesh/canary)', () => {
  it('picks the configured canary as the candidate, whatever its name', () => {
    expect(releaseRoles(['live', 'exp-2024', 'shadow'], 'exp-.*')).toEqual({ stable: 0, candidate: 1 });
    // Without a configured rule: any version containing "canary".
    expect(releaseRoles(['canary', 'stable'])).toEqual({ stable: 1, candidate: 0 });
    expect(
      releasePresets(
        [
          { subset: 'live', service: 'cart' },
          { subset: 'exp-2024', service: 'cart' },
        ],
        [100, 0],
        'exp-.*',
      )[0]!.label,
    ).toBe('Promote exp-2024');
  });
});
