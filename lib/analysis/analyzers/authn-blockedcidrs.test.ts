import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { authnBlockedCidrs } from './authn-blockedcidrs';

const istiod = (env: { name: string; value?: string }[] = [], labels: Record<string, string> = { app: 'istiod' }) =>
  obj('Deployment', 'mesh-control/istiod-canary', { template: { spec: { containers: [{ name: 'discovery', env }] } } }, { metadata: { labels } });
const requestAuthentication = (ref: string, apiVersion = 'security.istio.io/v1') =>
  obj('RequestAuthentication', ref, { jwtRules: [{ issuer: 'https://id.ledger.example', jwksUri: 'https://id.ledger.example/keys' }] }, { apiVersion });

describe('authn.blockedcidrs', () => {
  it('reports an istiod without the variable while RequestAuthentications exist, naming at most five', () => {
    const authentications = ['ledger/a', 'ledger/b', 'warehouse/c', 'warehouse/d', 'depot/e', 'depot/f'].map((ref, i) =>
      requestAuthentication(ref, i % 2 ? 'security.istio.io/v1beta1' : 'security.istio.io/v1'),
    );
    const findings = findingsOf(authnBlockedCidrs, [istiod([{ name: 'BLOCKED_CIDRS_IN_JWKS_URIS', value: '' }]), ...authentications]);
    expect(summarize(findings)).toEqual(['IST0175 Deployment mesh-control/istiod-canary spec.template.spec.containers']);
    expect(findings[0]!.message).toBe(
      'BLOCKED_CIDRS_IN_JWKS_URIS is not configured but 6 RequestAuthentication resource(s) exist (depot/e, depot/f, ledger/a, ledger/b, warehouse/c, and 1 more). Consider configuring it to restrict JWKS URI fetches to trusted networks.',
    );
  });

  it('is quiet when the variable is set, when no RequestAuthentication exists, or for other deployments', () => {
    expect(findingsOf(authnBlockedCidrs, [istiod([{ name: 'BLOCKED_CIDRS_IN_JWKS_URIS', value: '10.0.0.0/8' }]), requestAuthentication('ledger/a')])).toEqual(
      [],
    );
    expect(findingsOf(authnBlockedCidrs, [istiod()])).toEqual([]);
    expect(findingsOf(authnBlockedCidrs, [istiod([], { app: 'ledger-api' }), requestAuthentication('ledger/a')])).toEqual([]);
  });
});
