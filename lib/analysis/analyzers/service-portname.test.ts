import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { servicePortName } from './service-portname';

const service = (ref: string, ports: unknown[], extra: { type?: string; labels?: Record<string, string> } = {}) =>
  obj('Service', ref, { ...(extra.type ? { type: extra.type } : {}), ports }, { metadata: { labels: extra.labels } });

describe('service.portname', () => {
  it('reports ports whose name or appProtocol gives Istio no protocol', () => {
    const findings = findingsOf(servicePortName, [
      service('ledger/journal', [
        { name: 'web', port: 8080, targetPort: 'web-port' },
        { port: 9000 },
        { name: 'http-api', port: 80 },
        { name: 'metrics', port: 9090, appProtocol: 'HTTP' },
        { name: 'http-admin', port: 9443, appProtocol: 'custom' },
      ]),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0118 Service ledger/journal spec.ports[0].name',
      'IST0118 Service ledger/journal spec.ports[1].name',
      'IST0118 Service ledger/journal spec.ports[4].name',
    ]);
    expect(findings[0]!.message).toBe("Port name web (port: 8080, targetPort: web-port) doesn't follow the naming convention of Istio port.");
    expect(findings[1]!.message).toBe("Port name  (port: 9000, targetPort: 0) doesn't follow the naming convention of Istio port.");
  });

  it('accepts known prefixes, UDP and well-known TCP ports, and skips Istio-owned Services', () => {
    const findings = findingsOf(servicePortName, [
      service('ledger/all-known', [
        { name: 'grpc-web-ui', port: 1 },
        { name: 'HTTP2', port: 2 },
        { name: 'tls-peer', port: 3 },
        { name: 'stats', port: 4, protocol: 'UDP' },
        { name: 'ws', port: 5, appProtocol: 'HTTP' },
        { port: 3306 },
      ]),
      service(
        'mesh-control/istiod-canary',
        [
          { name: 'grpc-xds', port: 15010 },
          { name: 'webhook', port: 443 },
        ],
        { labels: { istio: 'pilot' } },
      ),
      service('ledger/edge-istio', [{ name: 'status-port', port: 15021 }], { labels: { 'gateway.istio.io/managed': 'istio.io-gateway-controller' } }),
    ]);
    expect(findings).toEqual([]);
  });

  it('reports unnamed or tcp-named ports of an ExternalName Service as IST0150', () => {
    const findings = findingsOf(servicePortName, [
      service(
        'ledger/fx',
        [
          { name: 'tcp', port: 5432 },
          { name: 'pg', port: 5433 },
          { name: 'https', port: 443 },
        ],
        { type: 'ExternalName' },
      ),
    ]);
    expect(summarize(findings)).toEqual(['IST0150 Service ledger/fx spec.ports[0].name', 'IST0150 Service ledger/fx spec.ports[1].name']);
  });
});
