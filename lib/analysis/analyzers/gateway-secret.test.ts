import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { K } from '../kinds';
import { findingsOf, obj, summarize } from '../testing';
import { gatewaySecret } from './gateway-secret';

const pem = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQkZ0ZXN0LWNlcnQtZm9yLW1lc2hkZWNr\n-----END CERTIFICATE-----\n';
const b64 = (text: string) => btoa(text);
const tlsSecret = (ref: string, data: Record<string, string>, type = 'kubernetes.io/tls') =>
  obj('Secret', ref, undefined, { type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
const gatewayPod = obj('Pod', 'ingress/ingress-gw-1', undefined, { metadata: { labels: { istio: 'ingress-gw' } } });
const gateway = (...servers: { credentialName: string; mode?: string }[]) =>
  obj(
    'Gateway',
    'payments/checkout-gw',
    {
      selector: { istio: 'ingress-gw' },
      servers: servers.map((tls, i) => ({
        port: { number: 443 + i, name: `https-${i}`, protocol: 'HTTPS' },
        hosts: ['pay.example.net'],
        tls: { mode: 'SIMPLE', ...tls },
      })),
    },
    { apiVersion: 'networking.istio.io/v1alpha3' },
  );

describe('gateway.secret', () => {
  it('reports a credential missing from the namespace of the gateway pods (IST0101), even when the Gateway namespace has it', () => {
    const findings = findingsOf(gatewaySecret, [
      gateway({ credentialName: 'pay-cert' }),
      gatewayPod,
      tlsSecret('payments/pay-cert', { 'tls.crt': pem, 'tls.key': 'k' }),
    ]);
    expect(summarize(findings)).toEqual(['IST0101 Gateway payments/checkout-gw spec.servers[0].tls.credentialName']);
    expect(findings[0]!.message).toBe('Referenced credentialName not found: "pay-cert"');
  });

  it('reports a Secret without a certificate and key Istio reads, or with a certificate that is not PEM (IST0161)', () => {
    const findings = findingsOf(gatewaySecret, [
      gateway({ credentialName: 'wrong-keys' }, { credentialName: 'empty-key' }, { credentialName: 'not-pem' }),
      gatewayPod,
      tlsSecret('ingress/wrong-keys', { certificate: pem, private: 'k' }, 'Opaque'),
      tlsSecret('ingress/empty-key', { 'tls.crt': pem, 'tls.key': '' }),
      tlsSecret('ingress/not-pem', { cert: 'just text', key: 'k' }, 'Opaque'),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0161 Gateway payments/checkout-gw spec.servers[0].tls.credentialName',
      'IST0161 Gateway payments/checkout-gw spec.servers[1].tls.credentialName',
      'IST0161 Gateway payments/checkout-gw spec.servers[2].tls.credentialName',
    ]);
    expect(findings[0]!.level).toBe('Error');
    expect(findings[0]!.message).toBe(
      'The credential referenced by the Gateway checkout-gw in namespace ingress is invalid, which can cause the traffic not to work as expected.',
    );
  });

  it('for MUTUAL wants a CA: ca.crt or cacert in the Secret, or a <name>-cacert Secret', () => {
    const findings = findingsOf(gatewaySecret, [
      gateway({ credentialName: 'no-ca', mode: 'MUTUAL' }, { credentialName: 'inline-ca', mode: 'MUTUAL' }, { credentialName: 'split', mode: 'MUTUAL' }),
      gatewayPod,
      tlsSecret('ingress/no-ca', { 'tls.crt': pem, 'tls.key': 'k' }),
      tlsSecret('ingress/inline-ca', { 'tls.crt': pem, 'tls.key': 'k', 'ca.crt': pem }),
      tlsSecret('ingress/split', { cert: pem, key: 'k' }, 'Opaque'),
      tlsSecret('ingress/split-cacert', { cacert: pem }, 'Opaque'),
    ]);
    expect(summarize(findings)).toEqual(['IST0161 Gateway payments/checkout-gw spec.servers[0].tls.credentialName']);
  });

  it('accepts generic and TLS Secrets, checks only existence for metadata-only Secrets, and skips when Secrets were not loaded', () => {
    const objects = [
      gateway({ credentialName: 'generic' }, { credentialName: 'listed-only', mode: 'MUTUAL' }),
      gatewayPod,
      tlsSecret('ingress/generic', { cert: pem, key: 'k' }, 'Opaque'),
      obj('Secret', 'ingress/listed-only'),
    ];
    expect(findingsOf(gatewaySecret, objects)).toEqual([]);
    const unread = new Analysis([gatewaySecret], [gateway({ credentialName: 'absent' }), gatewayPod], { kinds: [K.Gateway, K.Pod] });
    expect(unread.findings()).toEqual([]);
  });

  it('re-checks when the Secret appears', () => {
    const analysis = new Analysis([gatewaySecret], [gateway({ credentialName: 'late' }), gatewayPod]);
    expect(analysis.findings()).toHaveLength(1);
    analysis.apply([{ type: 'upsert', object: tlsSecret('ingress/late', { 'tls.crt': pem, 'tls.key': 'k' }) }]);
    expect(analysis.findings()).toEqual([]);
  });
});
