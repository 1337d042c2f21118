import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { K } from '../kinds';
import { findingsOf, obj, summarize } from '../testing';
import { virtualServiceDestinationHosts as analyzer } from './virtualservice-destinationhosts';

const svc = (ref: string, ports: number[], annotations?: Record<string, string>) =>
  obj('Service', ref, { ports: ports.map((port) => ({ port, name: `http-${port}` })) }, annotations ? { metadata: { annotations } } : {});
const route = (host: string, extra: Record<string, unknown> = {}) => ({ destination: { host, ...extra } });

describe('virtualservice.destinationhosts', () => {
  it('reports a route and a mirror to hosts nothing defines', () => {
    const vs = obj('VirtualService', 'bank/ledger', {
      hosts: ['ledger'],
      http: [{ route: [route('ledger'), route('ledgr')], mirror: { host: 'shadow.bank.svc.cluster.local' } }],
      tcp: [{ route: [route('vault.secure.example.org', { port: { number: 5432 } })] }],
    });
    const findings = findingsOf(analyzer, [vs, svc('bank/ledger', [8080])]);
    expect(summarize(findings)).toEqual([
      'IST0101 VirtualService bank/ledger spec.http[0].mirror.host',
      'IST0101 VirtualService bank/ledger spec.http[0].route[1].destination.host',
      'IST0101 VirtualService bank/ledger spec.tcp[0].route[0].destination.host',
    ]);
    expect(findings.map((f) => f.message)).toContain('Referenced mirror host not found: "shadow.bank.svc.cluster.local"');
    expect(findings.map((f) => f.message)).toContain('Referenced host not found: "ledgr"');
  });

  it('finds hosts in Services of other namespaces and in ServiceEntries, wildcards included', () => {
    const vs = obj(
      'VirtualService',
      'bank/ledger',
      {
        hosts: ['ledger'],
        http: [{ route: [route('fx.rates.svc.cluster.local'), route('api.partner.example.net', { port: { number: 443 } }), route('files.example.org')] }],
      },
      { apiVersion: 'networking.istio.io/v1alpha3' },
    );
    const findings = findingsOf(analyzer, [
      vs,
      svc('rates/fx', [80]),
      obj(
        'ServiceEntry',
        'bank/partner',
        { hosts: ['api.partner.example.net'], ports: [{ number: 443, name: 'https' }] },
        { apiVersion: 'networking.istio.io/v1beta1' },
      ),
      obj('ServiceEntry', 'egress/any-example', { hosts: ['*.example.org'], ports: [{ number: 443, name: 'https' }] }),
    ]);
    expect(findings).toEqual([]);
  });

  it('respects exportTo: a Service annotated private and a ServiceEntry kept in its namespace are not seen', () => {
    const vs = obj('VirtualService', 'bank/ledger', {
      hosts: ['ledger'],
      http: [{ route: [route('fx.rates.svc.cluster.local'), route('api.partner.example.net')] }],
    });
    const findings = findingsOf(analyzer, [
      vs,
      svc('rates/fx', [80], { 'networking.istio.io/exportTo': '.' }),
      obj('ServiceEntry', 'partners/partner', { hosts: ['api.partner.example.net'], exportTo: ['.'], ports: [{ number: 443, name: 'https' }] }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0101 VirtualService bank/ledger spec.http[0].route[0].destination.host',
      'IST0101 VirtualService bank/ledger spec.http[0].route[1].destination.host',
    ]);
  });

  it('asks for a port on a service with several (IST0112) and reports a port it does not have', () => {
    const vs = obj('VirtualService', 'bank/ledger', {
      hosts: ['ledger'],
      http: [{ route: [route('ledger'), route('ledger', { port: { number: 9090 } }), route('ledger', { port: { number: 8080 } })] }],
    });
    const findings = findingsOf(analyzer, [vs, svc('bank/ledger', [8080, 8443])]);
    expect(summarize(findings)).toEqual([
      'IST0101 VirtualService bank/ledger spec.http[0].route[1].destination.port.number',
      'IST0112 VirtualService bank/ledger spec.http[0].route[0].destination',
    ]);
    expect(findings[1]!.message).toBe(
      'This VirtualService routes to a service "ledger" that exposes multiple ports [8080 8443]. Specifying a port in the destination is required to disambiguate.',
    );
    expect(findings[0]!.message).toBe('Referenced host:port not found: "ledger:9090"');
  });

  it('calls nothing missing when Services were not loaded', () => {
    const vs = obj('VirtualService', 'bank/ledger', { hosts: ['ledger'], http: [{ route: [route('nowhere')] }] });
    const analysis = new Analysis([analyzer], [vs], { kinds: [K.VirtualService, K.ServiceEntry] });
    expect(analysis.findings()).toEqual([]);
  });

  it('warns (IST0140) that a gateway route without subset skips the subsets another VirtualService splits by', () => {
    const edge = obj('VirtualService', 'bank/ledger-edge', {
      hosts: ['ledger.bank.example.com'],
      gateways: ['edge/public'],
      http: [{ route: [route('ledger.bank.svc.cluster.local')] }],
    });
    const split = obj('VirtualService', 'bank/ledger', {
      hosts: ['ledger'],
      http: [{ route: [route('ledger', { subset: 'v1' }), route('ledger', { subset: 'v2' })] }],
    });
    const pinned = obj('VirtualService', 'bank/ledger-pinned', {
      hosts: ['ledger.bank.example.com'],
      gateways: ['edge/public'],
      http: [{ route: [route('ledger', { subset: 'v1' })] }],
    });
    const findings = findingsOf(analyzer, [edge, split, pinned, svc('bank/ledger', [8080])]);
    expect(summarize(findings)).toEqual(['IST0140 VirtualService bank/ledger-edge spec.http[0].route[0].destination.host']);
    expect(findings[0]!.message).toBe('Subset in virtual service bank/ledger has no effect on ingress gateway bank/ledger-edge requests');
  });
});
