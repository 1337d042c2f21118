import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { K } from '../kinds';
import { findingsOf, obj, summarize } from '../testing';
import { gatewayIngressPort } from './gateway-ingressport';

const edgePod = obj('Pod', 'edge/edge-gw-7d9f', undefined, { metadata: { labels: { istio: 'edge-gw', app: 'edge' } } });
const edgeService = (ports: unknown[]) => obj('Service', 'edge/edge-gw', { selector: { istio: 'edge-gw' }, ports });
const gateway = (ports: number[], selector: Record<string, string> = { istio: 'edge-gw' }) =>
  obj(
    'Gateway',
    'storefront/public',
    { selector, servers: ports.map((number) => ({ port: { number, name: `p${number}`, protocol: 'HTTP' }, hosts: ['shop.example.org'] })) },
    { apiVersion: 'networking.istio.io/v1beta1' },
  );

describe('gateway.ingressgatewayport', () => {
  it('reports a server port no Service of the gateway pods reaches, matching on targetPort', () => {
    const findings = findingsOf(gatewayIngressPort, [
      gateway([8080, 8443, 9000]),
      edgePod,
      edgeService([
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'https', port: 443, targetPort: '8443', protocol: 'TCP' },
        { name: 'metrics', port: 9000, protocol: 'UDP' },
      ]),
    ]);
    expect(summarize(findings)).toEqual(['IST0162 Gateway storefront/public spec.servers[2].port.number']);
    expect(findings[0]!.level).toBe('Warning');
    expect(findings[0]!.message).toBe(
      'The gateway is listening on a target port (port 9000) that is not defined in the Service associated with its workload instances (Pod selector istio=edge-gw). If you need to access the gateway port through the gateway Service, it will not be available.',
    );
  });

  it('reports a selector that matches no pod (IST0101), and nothing more', () => {
    const findings = findingsOf(gatewayIngressPort, [gateway([80], { istio: 'egress-gw', app: 'edge' }), edgePod, edgeService([{ port: 80 }])]);
    expect(summarize(findings)).toEqual(['IST0101 Gateway storefront/public spec.selector']);
    expect(findings[0]!.message).toBe('Referenced selector not found: "app=edge,istio=egress-gw"');
  });

  it('accepts ports exposed by any selecting Service (one without a selector included, as in Istio), not by one in another namespace', () => {
    const findings = findingsOf(gatewayIngressPort, [
      gateway([80, 15021]),
      edgePod,
      edgeService([{ port: 80 }]),
      obj('Service', 'edge/edge-gw-status', { selector: { app: 'edge' }, ports: [{ port: 15021 }] }),
    ]);
    expect(findings).toEqual([]);
    const manualEndpoints = findingsOf(gatewayIngressPort, [gateway([80]), edgePod, obj('Service', 'edge/manual', { ports: [{ port: 80 }] })]);
    expect(manualEndpoints).toEqual([]);
    const otherNamespace = findingsOf(gatewayIngressPort, [
      gateway([80]),
      edgePod,
      obj('Service', 'other/edge-gw', { selector: { istio: 'edge-gw' }, ports: [{ port: 80 }] }),
    ]);
    expect(summarize(otherNamespace)).toEqual(['IST0162 Gateway storefront/public spec.servers[0].port.number']);
  });

  it('follows pod and Service changes incrementally, and says nothing when pods were not loaded', () => {
    const analysis = new Analysis([gatewayIngressPort], [gateway([443]), edgeService([{ port: 443 }])]);
    expect(summarize(analysis.findings())).toEqual(['IST0101 Gateway storefront/public spec.selector']);
    const diff = analysis.apply([{ type: 'upsert', object: edgePod }]);
    expect(summarize(diff.removed)).toEqual(['IST0101 Gateway storefront/public spec.selector']);
    expect(analysis.findings()).toEqual([]);
    analysis.apply([{ type: 'upsert', object: edgeService([{ port: 80 }]) }]);
    expect(summarize(analysis.findings())).toEqual(['IST0162 Gateway storefront/public spec.servers[0].port.number']);

    const withoutPods = new Analysis([gatewayIngressPort], [gateway([443])], { kinds: [K.Gateway, K.Service] });
    expect(withoutPods.findings()).toEqual([]);
  });
});
