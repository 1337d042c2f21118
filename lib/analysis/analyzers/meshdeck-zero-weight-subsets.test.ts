import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { findingsOf, obj, summarize } from '../testing';
import { meshdeckZeroWeightSubsets } from './meshdeck-zero-weight-subsets';

const vs = (canaryWeight = 0) =>
  obj('VirtualService', 'atlas/maps', {
    hosts: ['maps'],
    http: [
      {
        route: [
          { destination: { host: 'maps', subset: 'stable' }, weight: 100 - canaryWeight },
          { destination: { host: 'maps.atlas.svc.cluster.local', subset: 'canary' }, weight: canaryWeight },
        ],
      },
    ],
  });
const dr = obj(
  'DestinationRule',
  'atlas/maps',
  {
    host: 'maps',
    subsets: [
      { name: 'stable', labels: { track: 'stable' } },
      { name: 'canary', labels: { track: 'canary' } },
    ],
  },
  { apiVersion: 'networking.istio.io/v1beta1' },
);
const service = obj('Service', 'atlas/maps', { selector: { app: 'maps' }, ports: [{ name: 'http', port: 80 }] });
const pod = (name: string, track: string, phase = 'Running') =>
  obj('Pod', `atlas/${name}`, {}, { metadata: { labels: { app: 'maps', track } }, status: { phase } });

describe('meshdeck.zeroweightsubsets (MDK0003)', () => {
  it('reports a 0-weight subset whose pods are missing or not running', () => {
    const findings = findingsOf(meshdeckZeroWeightSubsets, [vs(), dr, service, pod('maps-1', 'stable'), pod('maps-2', 'canary', 'Pending')]);
    expect(summarize(findings)).toEqual(['MDK0003 VirtualService atlas/maps spec.http[0].route[1].destination.subset']);
    expect(findings[0]!.message).toContain('maps.atlas.svc.cluster.local/canary has weight 0 and no running pod (subset labels track=canary)');
  });

  it('is silent when the subset has a running pod, carries weight, is undefined, or the host has no selector', () => {
    expect(findingsOf(meshdeckZeroWeightSubsets, [vs(), dr, service, pod('maps-1', 'stable'), pod('maps-2', 'canary')])).toEqual([]);
    expect(findingsOf(meshdeckZeroWeightSubsets, [vs(10), dr, service, pod('maps-1', 'stable')])).toEqual([]);
    expect(findingsOf(meshdeckZeroWeightSubsets, [vs(), service, pod('maps-1', 'stable')])).toEqual([]);
    const manual = obj('Service', 'atlas/maps', { ports: [{ port: 80 }] });
    expect(findingsOf(meshdeckZeroWeightSubsets, [vs(), dr, manual])).toEqual([]);
  });

  it('follows a pod of the subset starting, through the pods-by-label index', () => {
    const analysis = new Analysis([meshdeckZeroWeightSubsets], [vs(), dr, service, pod('maps-1', 'stable'), pod('maps-2', 'canary', 'Pending')]);
    expect(analysis.findings()).toHaveLength(1);
    const diff = analysis.apply([{ type: 'upsert', object: pod('maps-2', 'canary') }]);
    expect(summarize(diff.removed)).toEqual(['MDK0003 VirtualService atlas/maps spec.http[0].route[1].destination.subset']);
    // A pod of another namespace with the same labels is not an endpoint of this Service.
    expect(
      findingsOf(meshdeckZeroWeightSubsets, [
        vs(),
        dr,
        service,
        pod('maps-1', 'stable'),
        obj('Pod', 'elsewhere/maps-9', {}, { metadata: { labels: { app: 'maps', track: 'canary' } }, status: { phase: 'Running' } }),
      ]),
    ).toHaveLength(1);
  });
});
