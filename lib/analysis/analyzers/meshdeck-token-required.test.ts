import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { meshdeckTokenRequired } from './meshdeck-token-required';

const jwt = { jwtRules: [{ issuer: 'https://id.observatory.example', jwksUri: 'https://id.observatory.example/jwks' }] };
const authn = (ref: string, matchLabels?: Record<string, string>) =>
  obj('RequestAuthentication', ref, { ...(matchLabels ? { selector: { matchLabels } } : {}), ...jwt }, { apiVersion: 'security.istio.io/v1beta1' });
const policy = (ref: string, spec: Record<string, unknown>) => obj('AuthorizationPolicy', ref, spec);
const requireJwt = { action: 'DENY', rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }] };
const allowTokens = { rules: [{ from: [{ source: { requestPrincipals: ['https://id.observatory.example/*'] } }] }] };
const pod = (name: string, labels: Record<string, string>) => obj('Pod', `stars/${name}`, {}, { metadata: { labels }, status: { phase: 'Running' } });

describe('meshdeck.tokenrequired (MDK0008)', () => {
  it('reports a RequestAuthentication no policy backs with a token requirement', () => {
    const findings = findingsOf(meshdeckTokenRequired, [
      authn('stars/telescope-jwt', { app: 'telescope' }),
      // A DENY without notRequestPrincipals and an ALLOW by namespace do not require a token.
      policy('stars/block-admin', { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] }),
      policy('stars/from-lens', { rules: [{ from: [{ source: { namespaces: ['lens'] } }] }] }),
    ]);
    expect(summarize(findings)).toEqual(['MDK0008 RequestAuthentication stars/telescope-jwt spec.jwtRules']);
    expect(findings[0]!.message).toContain('Tokens are validated for workloads app=telescope in stars, but no AuthorizationPolicy requires one');
  });

  it('accepts a namespace-wide, a mesh-wide (custom root) or a narrower-selector policy, and per-pod coverage', () => {
    const mesh = obj('ConfigMap', 'istio-system/istio', undefined, { data: { mesh: 'rootNamespace: sky-root\n' } });
    expect(findingsOf(meshdeckTokenRequired, [authn('stars/jwt'), policy('stars/require', requireJwt)])).toEqual([]);
    expect(findingsOf(meshdeckTokenRequired, [mesh, authn('stars/jwt'), policy('sky-root/require', requireJwt)])).toEqual([]);
    expect(
      findingsOf(meshdeckTokenRequired, [
        authn('stars/jwt', { app: 'telescope', tier: 'edge' }),
        policy('stars/t', { selector: { matchLabels: { app: 'telescope' } }, ...allowTokens }),
      ]),
    ).toEqual([]);
    const perPod = [
      authn('stars/jwt'),
      pod('telescope-1', { app: 'telescope' }),
      pod('dome-1', { app: 'dome' }),
      policy('stars/t', { selector: { matchLabels: { app: 'telescope' } }, ...requireJwt }),
      policy('stars/d', { selector: { matchLabels: { app: 'dome' } }, ...allowTokens }),
    ];
    expect(findingsOf(meshdeckTokenRequired, perPod)).toEqual([]);
    const partly = findingsOf(meshdeckTokenRequired, perPod.slice(0, 4));
    expect(summarize(partly)).toEqual(['MDK0008 RequestAuthentication stars/jwt spec.jwtRules']);
    expect(partly[0]!.message).toContain(
      'Tokens are validated for every workload in stars, but no AuthorizationPolicy requires one for dome (requestPrincipals',
    );
  });

  it('reports a mesh-wide RequestAuthentication only when no policy anywhere requires a token', () => {
    expect(summarize(findingsOf(meshdeckTokenRequired, [authn('istio-system/jwt')]))).toEqual(['MDK0008 RequestAuthentication istio-system/jwt spec.jwtRules']);
    expect(findingsOf(meshdeckTokenRequired, [authn('istio-system/jwt'), policy('stars/require', requireJwt)])).toEqual([]);
  });
});
