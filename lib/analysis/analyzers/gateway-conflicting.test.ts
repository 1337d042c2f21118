import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { findingsOf, obj, summarize } from '../testing';
import { gatewayConflicting } from './gateway-conflicting';

const gw = (ref: string, selector: Record<string, string>, servers: [number, string[]][], apiVersion = 'networking.istio.io/v1') =>
  obj(
    'Gateway',
    ref,
    { selector, servers: servers.map(([number, hosts]) => ({ port: { number, name: `p${number}`, protocol: 'HTTP' }, hosts })) },
    { apiVersion },
  );

describe('gateway.conflictinggateway', () => {
  it('reports both gateways when one selector and port serve overlapping hosts (wildcards included)', () => {
    const findings = findingsOf(gatewayConflicting, [
      gw('travel/booking', { istio: 'edge', zone: 'a' }, [
        [80, ['book.example.com']],
        [443, ['book.example.com']],
      ]),
      gw('travel/catchall', { zone: 'a', istio: 'edge' }, [[80, ['*.example.com']]], 'networking.istio.io/v1beta1'),
    ]);
    expect(summarize(findings)).toEqual(['IST0145 Gateway travel/booking spec.servers[0]', 'IST0145 Gateway travel/catchall spec.servers[0]']);
    expect(findings[0]!.level).toBe('Error');
    expect(findings[0]!.message).toBe('Conflict with gateways travel/catchall (workload selector istio=edge,zone=a, port 80, hosts book.example.com).');
    expect(findings[1]!.message).toBe('Conflict with gateways travel/booking (workload selector istio=edge,zone=a, port 80, hosts *.example.com).');
  });

  it('accepts other ports, other selectors and disjoint hosts', () => {
    const findings = findingsOf(gatewayConflicting, [
      gw('travel/booking', { istio: 'edge' }, [[80, ['book.example.com']]]),
      gw('travel/admin', { istio: 'edge' }, [
        [8080, ['book.example.com']],
        [80, ['admin.example.com']],
      ]),
      gw('travel/internal', { istio: 'internal' }, [[80, ['book.example.com']]]),
    ]);
    expect(findings).toEqual([]);
  });

  it('clears both findings when one gateway moves to another port', () => {
    const analysis = new Analysis(
      [gatewayConflicting],
      [gw('travel/a', { istio: 'edge' }, [[80, ['*']]]), gw('ops/b', { istio: 'edge' }, [[80, ['status.example.com']]])],
    );
    expect(analysis.findings()).toHaveLength(2);
    const diff = analysis.apply([{ type: 'upsert', object: gw('ops/b', { istio: 'edge' }, [[8081, ['status.example.com']]]) }]);
    expect(diff.removed).toHaveLength(2);
    expect(analysis.findings()).toEqual([]);
  });
});
