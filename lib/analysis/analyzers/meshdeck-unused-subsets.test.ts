import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { findingsOf, obj, summarize } from '../testing';
import { meshdeckUnusedSubsets } from './meshdeck-unused-subsets';

const dr = obj(
  'DestinationRule',
  'harbor/cranes',
  { host: 'cranes.harbor.svc.cluster.local', subsets: [{ name: 'blue' }, { name: 'green' }, { name: 'shadow' }] },
  { apiVersion: 'networking.istio.io/v1beta1' },
);
const vs = obj('VirtualService', 'harbor/cranes', {
  hosts: ['cranes'],
  http: [{ route: [{ destination: { host: 'cranes', subset: 'blue' }, weight: 100 }] }],
});
describe('meshdeck.unusedsubsets (MDK0004)', () => {
  it('reports each subset no route sends to', () => {
    expect(summarize(findingsOf(meshdeckUnusedSubsets, [dr, vs]))).toEqual([
      'MDK0004 DestinationRule harbor/cranes spec.subsets[1]',
      'MDK0004 DestinationRule harbor/cranes spec.subsets[2]',
    ]);
  });

  it('counts routes and mirrors from any namespace, by FQDN, and follows changes', () => {
    const withMirror = obj('VirtualService', 'docks/ops', {
      hosts: ['ops'],
      http: [
        {
          route: [{ destination: { host: 'cranes.harbor.svc.cluster.local', subset: 'green' } }],
          mirror: { host: 'cranes.harbor.svc.cluster.local', subset: 'shadow' },
        },
      ],
    });
    expect(findingsOf(meshdeckUnusedSubsets, [dr, vs, withMirror])).toEqual([]);
    const analysis = new Analysis([meshdeckUnusedSubsets], [dr, vs, withMirror]);
    const diff = analysis.apply([{ type: 'delete', object: withMirror }]);
    expect(summarize(diff.added)).toEqual(['MDK0004 DestinationRule harbor/cranes spec.subsets[1]', 'MDK0004 DestinationRule harbor/cranes spec.subsets[2]']);
  });

  it('skips wildcard hosts and rules without subsets', () => {
    const wildcard = obj('DestinationRule', 'harbor/all', { host: '*.harbor.svc.cluster.local', subsets: [{ name: 'x' }] });
    const plain = obj('DestinationRule', 'harbor/plain', { host: 'tugs' });
    expect(findingsOf(meshdeckUnusedSubsets, [wildcard, plain])).toEqual([]);
  });
});
