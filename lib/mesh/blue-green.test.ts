import { describe, expect, it } from 'vitest';
import { blueGreenVerdict, type EndpointLookup } from './blue-green';
import type { HTTPRoute, VirtualService } from './types';

const to = (subset: string, weight: number) => ({ destination: { host: 'shop', subset }, weight });
const vs = (http: HTTPRoute[], metadata: Partial<VirtualService['metadata']> = {}): VirtualService => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'shop', namespace: 'n', resourceVersion: '1', ...metadata },
  spec: { http },
});
const endpoints =
  (counts: Record<string, number>, service: number): EndpointLookup =>
  (_, subset) =>
    subset in counts ? { subset: counts[subset]!, service } : undefined;

describe('blue-green rule', () => {
  it('needs two subsets of one service at 100/0', () => {
    expect(blueGreenVerdict(vs([{ route: [to('blue', 50), to('green', 50)] }]), 0).blueGreen).toBe(false);
    expect(blueGreenVerdict(vs([{ route: [to('blue', 100), { destination: { host: 'other', subset: 'green' }, weight: 0 }] }]), 0).why).toMatch(
      /not two subsets of one service/,
    );
  });
  it('is blue-green when the VirtualService is annotated or labelled so, whatever the subsets are called', () => {
    const http = [{ route: [to('v1', 100), to('v2', 0)] }];
    expect(blueGreenVerdict(vs(http, { annotations: { 'meshdeck.io/strategy': 'blue-green' } }), 0)).toEqual({
      blueGreen: true,
      why: 'Blue-green: the VirtualService is marked meshdeck.io/strategy: blue-green.',
    });
    expect(blueGreenVerdict(vs(http, { labels: { 'meshdeck.io/strategy': 'blue-green' } }), 0).blueGreen).toBe(true);
  });
  it('another strategy annotation rules it out, even for subsets named blue and green', () => {
    expect(blueGreenVerdict(vs([{ route: [to('blue', 100), to('green', 0)] }], { annotations: { 'meshdeck.io/strategy': 'canary' } }), 0).why).toMatch(
      /marked meshdeck.io\/strategy: canary/,
    );
  });
  it('is blue-green when the subsets are named blue and green', () => {
    expect(blueGreenVerdict(vs([{ route: [to('green', 0), to('blue', 100)] }]), 0).blueGreen).toBe(true);
  });
  it('is not when another route of the VirtualService serves both subsets (canary for beta users, A/B default)', () => {
    const verdict = blueGreenVerdict(
      vs([
        { name: 'beta', route: [to('stable', 0), to('canary', 100)] },
        { name: 'split', route: [to('stable', 95), to('canary', 5)] },
      ]),
      0,
      endpoints({ stable: 3, canary: 3 }, 6),
    );
    expect(verdict).toEqual({
      blueGreen: false,
      why: 'Not a blue-green switch: route split sends traffic to stable and canary at once (a canary or A/B test).',
    });
  });
  it('is blue-green for two full deployments: equal endpoints that together are the whole service', () => {
    const http = [{ route: [to('a', 100), to('b', 0)] }];
    expect(blueGreenVerdict(vs(http), 0, endpoints({ a: 3, b: 3 }, 6))).toEqual({
      blueGreen: true,
      why: "Blue-green: a and b are full deployments (3 endpoints each, all of the service's 6).",
    });
    expect(blueGreenVerdict(vs(http), 0, endpoints({ a: 3, b: 1 }, 4)).why).toBe(
      "Not a blue-green switch: a has 3 and b 1 of the service's 4 endpoints, not two full deployments.",
    );
    expect(blueGreenVerdict(vs(http), 0, endpoints({ a: 2, b: 2 }, 6)).blueGreen).toBe(false); // a third version runs
    expect(blueGreenVerdict(vs(http), 0, endpoints({ a: 0, b: 0 }, 0)).blueGreen).toBe(false);
    expect(blueGreenVerdict(vs(http), 0).why).toMatch(/endpoints of its subsets are unknown/);
  });
});
