import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { meshdeckRouteWeights } from './meshdeck-route-weights';

const vs = (route: { weight?: number; subset?: string }[], apiVersion = 'networking.istio.io/v1') =>
  obj(
    'VirtualService',
    'library/catalog',
    { hosts: ['catalog'], http: [{ name: 'split', route: route.map(({ weight, subset }) => ({ destination: { host: 'catalog', subset }, weight })) }] },
    { apiVersion },
  );

describe('meshdeck.routeweights (MDK0002)', () => {
  it('reports weights that add up to less than 100, with the shares Istio actually sends', () => {
    const findings = findingsOf(meshdeckRouteWeights, [
      vs(
        [
          { subset: 'stable', weight: 80 },
          { subset: 'next', weight: 10 },
        ],
        'networking.istio.io/v1beta1',
      ),
    ]);
    expect(summarize(findings)).toEqual(['MDK0002 VirtualService library/catalog spec.http[0].route']);
    expect(findings[0]!.message).toBe(
      'The weights of http route #0 "split" add up to 90, not 100: Istio sends each destination its weight / 90: catalog/stable 88.9%, catalog/next 11.1%',
    );
  });

  it('counts a missing weight among several as 0, and tcp routes too', () => {
    const tcp = obj('VirtualService', 'library/ledger', {
      hosts: ['ledger'],
      tcp: [{ route: [{ destination: { host: 'ledger', subset: 'a' }, weight: 60 }, { destination: { host: 'ledger', subset: 'b' } }] }],
    });
    expect(summarize(findingsOf(meshdeckRouteWeights, [tcp, vs([{ subset: 'a' }, { subset: 'b' }])]))).toEqual([
      'MDK0002 VirtualService library/catalog spec.http[0].route',
      'MDK0002 VirtualService library/ledger spec.tcp[0].route',
    ]);
  });

  it('accepts 100 in total, a lone destination with or without weight, and no routes', () => {
    const findings = findingsOf(meshdeckRouteWeights, [
      vs([
        { subset: 'a', weight: 75 },
        { subset: 'b', weight: 25 },
        { subset: 'c', weight: 0 },
      ]),
      obj('VirtualService', 'library/one', { hosts: ['one'], http: [{ route: [{ destination: { host: 'one' }, weight: 40 }] }] }),
      obj('VirtualService', 'library/bare', { hosts: ['bare'], http: [{ route: [{ destination: { host: 'bare' } }] }] }),
      obj('VirtualService', 'library/none', { hosts: ['none'] }),
    ]);
    expect(findings).toEqual([]);
  });
});
