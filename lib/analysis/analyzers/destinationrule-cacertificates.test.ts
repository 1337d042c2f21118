import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { destinationRuleCaCertificates } from './destinationrule-cacertificates';

const rule = (name: string, spec: unknown, apiVersion = 'networking.istio.io/v1') => obj('DestinationRule', `ledger/${name}`, spec, { apiVersion });

describe('destinationrule.cacertificate', () => {
  it('reports SIMPLE or MUTUAL TLS without caCertificates, at the rule and per port', () => {
    const findings = findingsOf(destinationRuleCaCertificates, [
      rule('vault', { host: 'vault.secrets.example', trafficPolicy: { tls: { mode: 'SIMPLE' } } }, 'networking.istio.io/v1alpha3'),
      rule('fx', {
        host: 'fx.example.org',
        trafficPolicy: {
          tls: { mode: 'MUTUAL', caCertificates: '/etc/certs/ca.pem', clientCertificate: '/etc/certs/c.pem', privateKey: '/etc/certs/k.pem' },
          portLevelSettings: [
            { port: { number: 8443 }, tls: { mode: 'MUTUAL', credentialName: 'fx-client' } },
            { port: { number: 80 }, tls: { mode: 'DISABLE' } },
          ],
        },
      }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0129 DestinationRule ledger/fx spec.trafficPolicy.portLevelSettings[0].tls',
      'IST0128 DestinationRule ledger/vault spec.trafficPolicy.tls',
    ]);
    expect(findings[1]!.message).toBe(
      'DestinationRule ledger/vault in namespace ledger has TLS mode set to SIMPLE but no caCertificates are set to validate server identity for host: vault.secrets.example',
    );
    expect(findings[0]!.message).toBe(
      'DestinationRule ledger/fx in namespace ledger has TLS mode set to MUTUAL but no caCertificates are set to validate server identity for host: fx.example.org at port number:8443',
    );
  });

  it('accepts ISTIO_MUTUAL, a CA file, and a credentialName on a rule with a workload selector', () => {
    const findings = findingsOf(destinationRuleCaCertificates, [
      rule('mesh', { host: 'journal', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
      rule('egress', {
        host: 'fx.example.org',
        workloadSelector: { matchLabels: { app: 'egress' } },
        trafficPolicy: {
          tls: { mode: 'SIMPLE', credentialName: 'fx-ca' },
          portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'MUTUAL', credentialName: 'fx-client' } }],
        },
      }),
      rule('none', { host: 'journal' }),
    ]);
    expect(findings).toEqual([]);
  });
});
