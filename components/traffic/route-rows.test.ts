import { describe, expect, it } from 'vitest';
import type { RolloutSummary } from '@/lib/mesh/rollout';
import { viewVirtualService } from '@/lib/mesh/traffic-split';
import type { DestinationRule, VirtualService } from '@/lib/mesh/types';
import { matchText, routeRows, routeText, splitText } from './route-rows';

const rule = { metadata: { name: 'reviews', namespace: 'shop' }, spec: { host: 'reviews', subsets: [{ name: 'v1' }, { name: 'v2' }] } } as DestinationRule;
const vs = (name: string, subset = 'v2') =>
  viewVirtualService(
    {
      metadata: { name, namespace: 'shop', resourceVersion: '7' },
      spec: {
        hosts: ['reviews'],
        http: [
          { name: 'jason', match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v9' } }] },
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
              { destination: { host: 'reviews', subset }, weight: 10 },
            ],
          },
        ],
      },
    } as VirtualService,
    [rule],
  );

describe('the Traffic table rows', () => {
  it('makes one row per route with its id, label, match, split and status', () => {
    const rows = routeRows([vs('reviews')]);
    expect(rows.map((r) => [r.id, routeText(r), matchText(r), r.status, splitText(r)])).toEqual([
      ['shop/reviews/0', '1. jason end-user = jason', 'end-user = jason', 'subset missing', 'reviews v9 100%'],
      ['shop/reviews/1', '2. route 2 all requests', 'all requests', 'ok', 'reviews v1 90% / reviews v2 10%'],
    ]);
  });

  it('keeps the row objects of a VirtualService the list did not replace', () => {
    const kept = vs('a');
    const first = routeRows([kept, vs('b')]);
    const second = routeRows([kept, vs('b')]);
    expect(second[0]).toBe(first[0]);
    expect(second[2]).not.toBe(first[2]);
  });

  it('says which route an active rollout moves', () => {
    const withRollout = (phase: RolloutSummary['phase']) => ({ ...vs('r'), rollout: { route: 1, phase } as RolloutSummary });
    expect(routeRows([withRollout('Paused')]).map((r) => r.status)).toEqual(['subset missing', 'rollout active']);
    expect(routeRows([withRollout('Promoted')]).map((r) => r.status)).toEqual(['subset missing', 'ok']);
  });
});
