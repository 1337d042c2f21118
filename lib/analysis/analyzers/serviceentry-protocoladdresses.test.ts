import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { serviceEntryProtocolAddresses } from './serviceentry-protocoladdresses';

const entry = (name: string, spec: Record<string, unknown>, extra: { status?: unknown; apiVersion?: string } = {}) =>
  obj('ServiceEntry', `ledger/${name}`, { hosts: [`${name}.example.org`], resolution: 'DNS', ...spec }, extra);
const mesh = (proxyMetadata: Record<string, string>) =>
  obj('ConfigMap', 'istio-system/istio', undefined, {
    data: {
      mesh: `defaultConfig:\n  proxyMetadata:\n${Object.entries(proxyMetadata)
        .map(([k, v]) => `    ${k}: "${v}"\n`)
        .join('')}`,
    },
  });

const entries = () => [
  entry('pg', {
    ports: [
      { number: 5432, name: 'pg', protocol: 'tcp' },
      { number: 443, name: 'https', protocol: 'HTTPS' },
    ],
  }),
  entry('smtp', { ports: [{ number: 25, name: 'smtp' }] }, { apiVersion: 'networking.istio.io/v1beta1' }),
  entry('pinned', { addresses: ['240.240.0.10'], ports: [{ number: 6379, name: 'redis-tcp', protocol: 'TCP' }] }),
  entry('allocated', { ports: [{ number: 9000, name: 'raw', protocol: 'TCP' }] }, { status: { addresses: [{ value: '240.240.0.11' }] } }),
];

describe('serviceentry.protocoladdresses', () => {
  it('reports each TCP or protocol-less port of an entry without addresses', () => {
    const findings = findingsOf(serviceEntryProtocolAddresses, entries());
    expect(summarize(findings)).toEqual(['IST0134 ServiceEntry ledger/pg spec.ports[0]', 'IST0134 ServiceEntry ledger/smtp spec.ports[0]']);
    expect(findings[0]!.message).toBe('ServiceEntry addresses are required for this protocol.');
  });

  it('is quiet when the proxies capture DNS and auto-allocate addresses', () => {
    expect(findingsOf(serviceEntryProtocolAddresses, [...entries(), mesh({ ISTIO_META_DNS_CAPTURE: 'true', ISTIO_META_DNS_AUTO_ALLOCATE: 'true' })])).toEqual(
      [],
    );
    // Auto-allocation without DNS capture allocates nothing the proxies use.
    expect(findingsOf(serviceEntryProtocolAddresses, [...entries(), mesh({ ISTIO_META_DNS_AUTO_ALLOCATE: 'true' })])).toHaveLength(2);
  });
});
