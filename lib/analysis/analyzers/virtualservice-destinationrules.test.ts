import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { virtualServiceDestinationRules } from './virtualservice-destinationrules';

const vs = (subset: string, host = 'checkout') =>
  obj('VirtualService', 'shop/checkout', {
    hosts: [host],
    http: [{ route: [{ destination: { host, subset }, weight: 100 }], mirror: { host: 'audit.tools.svc.cluster.local', subset: 'v9' } }],
  });
const dr = (host: string, ...subsets: string[]) =>
  obj('DestinationRule', `shop/${host.split('.')[0]}`, { host, subsets: subsets.map((name) => ({ name, labels: { version: name } })) });

describe('virtualservice.destinationrules', () => {
  it('reports a subset no DestinationRule of the host defines, and mirrors too', () => {
    const findings = findingsOf(virtualServiceDestinationRules, [vs('v2'), dr('checkout', 'v1')]);
    expect(summarize(findings)).toEqual([
      'IST0101 VirtualService shop/checkout spec.http[0].mirror.subset',
      'IST0101 VirtualService shop/checkout spec.http[0].route[0].destination.subset',
    ]);
    expect(findings[1]!.message).toBe('Referenced host+subset in destinationrule not found: "checkout+v2"');
    expect(findings[0]!.message).toBe('Referenced mirror+subset in destinationrule not found: "audit.tools.svc.cluster.local+v9"');
  });

  it('accepts a subset defined by a rule written with the FQDN, in another namespace', () => {
    const rule = obj(
      'DestinationRule',
      'tools/audit',
      { host: 'audit.tools.svc.cluster.local', subsets: [{ name: 'v9' }] },
      { apiVersion: 'networking.istio.io/v1beta1' },
    );
    const findings = findingsOf(virtualServiceDestinationRules, [
      vs('v1', 'checkout.shop.svc.cluster.local'),
      obj('DestinationRule', 'shop/c', { host: 'checkout.shop.svc.cluster.local', subsets: [{ name: 'v1' }] }),
      rule,
    ]);
    expect(findings).toEqual([]);
  });

  it('counts a rule for an external host in another namespace when it is exported there, not when it is private', () => {
    const route = obj(
      'VirtualService',
      'fleet/maps',
      { hosts: ['maps.example.net'], http: [{ route: [{ destination: { host: 'maps.example.net', subset: 'eu' } }] }] },
      { apiVersion: 'networking.istio.io/v1alpha3' },
    );
    const exported = obj('DestinationRule', 'istio-system/maps', { host: 'maps.example.net', subsets: [{ name: 'eu' }] });
    const privateRule = obj('DestinationRule', 'istio-system/maps', { host: 'maps.example.net', exportTo: ['.'], subsets: [{ name: 'eu' }] });
    expect(findingsOf(virtualServiceDestinationRules, [route, exported])).toEqual([]);
    expect(summarize(findingsOf(virtualServiceDestinationRules, [route, privateRule]))).toEqual([
      'IST0101 VirtualService fleet/maps spec.http[0].route[0].destination.subset',
    ]);
  });

  it("reads the mesh config's defaultDestinationRuleExportTo for rules without exportTo", () => {
    const route = obj('VirtualService', 'fleet/maps', {
      hosts: ['maps'],
      http: [{ route: [{ destination: { host: 'maps.geo.svc.cluster.local', subset: 'eu' } }] }],
    });
    const rule = obj('DestinationRule', 'geo/maps', { host: 'maps', subsets: [{ name: 'eu' }] });
    const mesh = obj('ConfigMap', 'istio-system/istio', undefined, { data: { mesh: 'defaultDestinationRuleExportTo: ["."]\n' } });
    expect(summarize(findingsOf(virtualServiceDestinationRules, [route, rule, mesh]))).toEqual([
      'IST0101 VirtualService fleet/maps spec.http[0].route[0].destination.subset',
    ]);
    expect(findingsOf(virtualServiceDestinationRules, [route, rule])).toEqual([]);
  });
});
