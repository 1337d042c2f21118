import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { findingsOf, obj, summarize } from '../testing';
import { gatewayHostsFor, virtualServiceGateways as analyzer } from './virtualservice-gateways';

const gw = (ref: string, ...serverHosts: string[][]) =>
  obj('Gateway', ref, {
    selector: { istio: 'edge' },
    servers: serverHosts.map((hosts, i) => ({ port: { number: 80 + i, name: `http-${i}`, protocol: 'HTTP' }, hosts })),
  });
const vs = (ref: string, hosts: string[], gateways: string[], apiVersion = 'networking.istio.io/v1') =>
  obj('VirtualService', ref, { hosts, gateways, http: [{ route: [{ destination: { host: 'quotes' } }] }] }, { apiVersion });

describe('virtualservice.gateways', () => {
  it('reports a gateway that does not exist (and, as Istio, that it serves none of the hosts)', () => {
    const findings = findingsOf(analyzer, [vs('trading/quotes', ['quotes.trade.example.com'], ['mesh', 'edge/public', 'internal'])]);
    expect(summarize(findings)).toEqual([
      'IST0101 VirtualService trading/quotes spec.gateways[1]',
      'IST0101 VirtualService trading/quotes spec.gateways[2]',
      'IST0132 VirtualService trading/quotes spec.gateways[1]',
      'IST0132 VirtualService trading/quotes spec.gateways[2]',
    ]);
    expect(findings[0]!.message).toBe('Referenced gateway not found: "edge/public"');
    expect(findings[3]!.message).toBe(
      'one or more host [quotes.trade.example.com] defined in VirtualService trading/quotes not found in Gateway trading/internal.',
    );
  });

  it('accepts gateways that serve a host, through wildcards and namespace-qualified hosts', () => {
    const findings = findingsOf(analyzer, [
      gw('edge/public', ['*.trade.example.com']),
      gw('trading/internal', ['./quotes.internal.example.com']),
      gw('edge/all', ['*/*']),
      gw('edge/shared', ['trading/orders.example.com']),
      vs('trading/quotes', ['quotes.trade.example.com'], ['edge/public', 'edge/all'], 'networking.istio.io/v1beta1'),
      vs('trading/inside', ['quotes.internal.example.com'], ['internal'], 'networking.istio.io/v1alpha3'),
      vs('trading/orders', ['orders.example.com'], ['edge/shared']),
    ]);
    expect(findings).toEqual([]);
  });

  it('reports a gateway whose hosts are for another namespace or another domain', () => {
    const findings = findingsOf(analyzer, [
      gw('edge/shared', ['billing/orders.example.com', 'api.example.org']),
      vs('trading/orders', ['orders.example.com'], ['edge/shared']),
    ]);
    expect(summarize(findings)).toEqual(['IST0132 VirtualService trading/orders spec.gateways[0]']);
  });

  it('reads a gateway host list as Istio sanitizes it', () => {
    expect(gatewayHostsFor(gw('edge/g', ['./a.example.com', '*/b.example.com', 'other/c.example.com', 'd.example.com']), 'edge')).toEqual([
      'a.example.com',
      'b.example.com',
      'd.example.com',
    ]);
    expect(gatewayHostsFor(gw('edge/g', ['x/a.example.com', '*/*']), 'web')).toEqual(['*']);
  });

  it('clears the finding when the gateway appears', () => {
    const analysis = new Analysis([analyzer], [vs('trading/quotes', ['quotes.example.com'], ['edge/public'])]);
    expect(analysis.findings()).toHaveLength(2);
    analysis.apply([{ type: 'upsert', object: gw('edge/public', ['quotes.example.com']) }]);
    expect(analysis.findings()).toEqual([]);
  });
});
