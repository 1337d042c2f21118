import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { virtualServiceJwtClaimRoute as analyzer } from './virtualservice-jwtclaimroute';

const gateway = obj('Gateway', 'perimeter/api', {
  selector: { app: 'api-gw' },
  servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
});
const pod = (ref: string, labels: Record<string, string>) => obj('Pod', ref, { containers: [{ name: 'proxy' }] }, { metadata: { labels } });
const vs = (gateways: string[], apiVersion = 'networking.istio.io/v1') =>
  obj(
    'VirtualService',
    'tenants/plans',
    {
      hosts: ['plans.example.io'],
      gateways,
      http: [
        { match: [{ headers: { '@request.auth.claims.tier': { exact: 'gold' } } }], route: [{ destination: { host: 'plans-gold' } }] },
        { route: [{ destination: { host: 'plans' } }] },
      ],
    },
    { apiVersion },
  );

describe('virtualservice.jwtclaimroute', () => {
  it('reports each gateway pod no RequestAuthentication selects', () => {
    const findings = findingsOf(analyzer, [
      vs(['perimeter/api']),
      gateway,
      pod('perimeter/api-gw-1', { app: 'api-gw' }),
      pod('perimeter/other', { app: 'web' }),
    ]);
    expect(summarize(findings)).toEqual(['IST0149 VirtualService tenants/plans spec.gateways[0]']);
    expect(findings[0]!.message).toBe(
      'The virtual service uses the JWT claim based routing (key: @request.auth.claims.tier) but found no request authentication for the gateway (perimeter/api) pod (api-gw-1). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing.',
    );
  });

  it('accepts a RequestAuthentication in the pod namespace or the root namespace that selects the pod', () => {
    const inNamespace = obj('RequestAuthentication', 'perimeter/jwt', {
      selector: { matchLabels: { app: 'api-gw' } },
      jwtRules: [{ issuer: 'https://id.example.io' }],
    });
    const meshWide = obj(
      'RequestAuthentication',
      'istio-system/jwt',
      { jwtRules: [{ issuer: 'https://id.example.io' }] },
      { apiVersion: 'security.istio.io/v1beta1' },
    );
    const gwPod = pod('perimeter/api-gw-1', { app: 'api-gw' });
    expect(findingsOf(analyzer, [vs(['perimeter/api'], 'networking.istio.io/v1beta1'), gateway, gwPod, inNamespace])).toEqual([]);
    expect(findingsOf(analyzer, [vs(['perimeter/api'], 'networking.istio.io/v1alpha3'), gateway, gwPod, meshWide])).toEqual([]);
  });

  it('ignores a policy selecting other pods, mesh-only routes and missing gateways', () => {
    const elsewhere = obj('RequestAuthentication', 'perimeter/jwt', { selector: { matchLabels: { app: 'web' } } });
    const gwPod = pod('perimeter/api-gw-1', { app: 'api-gw' });
    expect(findingsOf(analyzer, [vs(['perimeter/api']), gateway, gwPod, elsewhere])).toHaveLength(1);
    expect(findingsOf(analyzer, [vs(['mesh']), gateway, gwPod])).toEqual([]);
    expect(findingsOf(analyzer, [vs(['perimeter/missing']), gateway, gwPod])).toEqual([]);
  });
});
