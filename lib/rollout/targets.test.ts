import { describe, expect, it } from 'vitest';
import type { DestinationRule, Subset } from '@/lib/mesh/types';
import { targetResolver } from './targets';

const rule = (namespace: string, host: string, subsets: Subset[]): DestinationRule => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: host.split('.')[0]!, namespace, resourceVersion: '1' },
  spec: { host, subsets },
});

const RULES = [
  rule('shop', 'checkout', [
    { name: 'stable', labels: { version: 'v1' } },
    { name: 'canary', labels: { 'app.kubernetes.io/version': 'v2' } },
    { name: 'next', labels: { 'service.istio.io/canonical-revision': 'v3' } },
    { name: 'zone-a', labels: { zone: 'a' } },
    { name: 'same', labels: { version: 'v1', zone: 'b' } },
  ]),
  rule('web', 'checkout.shop.svc.cluster.local', [{ name: 'canary', labels: { version: 'web-view' } }]),
];
const resolve = targetResolver(RULES);
const plan = (stable: { host: string; subset?: string }, candidate: { host: string; subset?: string }) => ({ stable, candidate });

describe("a rollout's destinations in Istio's metrics", () => {
  it('reads each subset version label in order: version, app.kubernetes.io/version, the canonical revision', () => {
    expect(resolve(plan({ host: 'checkout', subset: 'stable' }, { host: 'checkout', subset: 'canary' }), 'shop')).toEqual({
      stable: { namespace: 'shop', service: 'checkout', version: 'v1' },
      candidate: { namespace: 'shop', service: 'checkout', version: 'v2' },
    });
    expect(resolve(plan({ host: 'checkout.shop', subset: 'stable' }, { host: 'checkout.shop.svc.cluster.local', subset: 'next' }), 'shop')).toMatchObject({
      candidate: { version: 'v3' },
    });
  });

  it("prefers the route's own namespace's DestinationRule, as Istio does", () => {
    expect(resolve(plan({ host: 'checkout.shop', subset: 'stable' }, { host: 'checkout.shop', subset: 'canary' }), 'web')).toMatchObject({
      candidate: { namespace: 'shop', service: 'checkout', version: 'web-view' },
    });
  });

  it('reads a destination without subset as its whole service', () => {
    expect(resolve(plan({ host: 'checkout' }, { host: 'checkout-next.shop.svc.cluster.local' }), 'shop')).toEqual({
      stable: { namespace: 'shop', service: 'checkout' },
      candidate: { namespace: 'shop', service: 'checkout-next' },
    });
  });

  it('says why a destination cannot be measured', () => {
    expect(resolve(plan({ host: 'checkout', subset: 'stable' }, { host: 'checkout', subset: 'gone' }), 'shop')).toEqual({
      problem: 'candidate: no DestinationRule of checkout defines the subset gone',
    });
    expect(resolve(plan({ host: 'checkout', subset: 'zone-a' }, { host: 'checkout', subset: 'canary' }), 'shop')).toMatchObject({
      problem: expect.stringMatching(/^stable: the subset zone-a of checkout selects no version label \(version, app.kubernetes.io\/version/),
    });
    expect(resolve(plan({ host: 'checkout', subset: 'stable' }, { host: 'checkout', subset: 'same' }), 'shop')).toEqual({
      problem: "the stable and the candidate select the same version (v1): Istio's metrics cannot tell them apart",
    });
    expect(resolve(plan({ host: 'checkout' }, { host: 'api.example.com' }), 'shop')).toMatchObject({
      problem: expect.stringMatching(/^candidate: api.example.com is not a service/),
    });
  });
});
