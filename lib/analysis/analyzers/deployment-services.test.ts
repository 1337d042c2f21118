import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { deploymentServices } from './deployment-services';

const namespace = (name: string, labels: Record<string, string> = {}) => obj('Namespace', name, undefined, { metadata: { labels } });
const deployment = (ref: string, labels: Record<string, string>, extra: { inject?: string; proxy?: boolean; meta?: Record<string, string> } = {}) =>
  obj(
    'Deployment',
    ref,
    {
      template: {
        metadata: { labels: { ...labels, ...(extra.inject ? { 'sidecar.istio.io/inject': extra.inject } : {}) } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:2' }, ...(extra.proxy ? [{ name: 'istio-proxy', image: 'proxyv2:1.24' }] : [])] },
      },
    },
    { metadata: { labels: extra.meta ?? {} } },
  );
const service = (ref: string, selector: Record<string, string>, ports: Record<string, unknown>[]) => obj('Service', ref, { selector, ports });

describe('deployment.services', () => {
  it('reports one port number with two protocols across services', () => {
    const findings = findingsOf(deploymentServices, [
      namespace('dns', { 'istio-injection': 'enabled' }),
      deployment('dns/resolver', { app: 'resolver' }),
      service('dns/resolver-tcp', { app: 'resolver' }, [{ name: 'tcp-dns', port: 53 }]),
      service('dns/resolver-udp', { app: 'resolver' }, [{ name: 'udp-dns', port: 53, protocol: 'UDP' }]),
    ]);
    expect(summarize(findings)).toEqual(['IST0116 Deployment dns/resolver spec.template.metadata.labels']);
    expect(findings[0]!.message).toBe(
      'This deployment resolver is associated with multiple services using port 53 but different protocols: [dns/resolver-tcp dns/resolver-udp]',
    );
  });

  it('reports one targetPort reached through different ports (named target ports too)', () => {
    const findings = findingsOf(deploymentServices, [
      namespace('shop'),
      deployment('shop/cart', { app: 'cart', tier: 'web' }, { inject: 'true' }),
      service('shop/cart', { app: 'cart' }, [{ name: 'http', port: 80, targetPort: 'http-web' }]),
      service('shop/cart-admin', { tier: 'web' }, [{ name: 'http-admin', port: 8080, targetPort: 'http-web' }]),
      service('shop/other', { app: 'other' }, [{ name: 'http', port: 9090, targetPort: 'http-web' }]),
    ]);
    expect(summarize(findings)).toEqual(['IST0137 Deployment shop/cart spec.template.metadata.labels']);
    expect(findings[0]!.message).toBe(
      'This deployment cart is associated with multiple services [shop/cart shop/cart-admin] using targetPort "http-web" but different ports: [80 8080].',
    );
  });

  it('leaves deployments outside the mesh, waypoints, and services that agree', () => {
    const conflicting = [
      service('tools/a', { app: 'probe' }, [{ name: 'tcp', port: 53 }]),
      service('tools/b', { app: 'probe' }, [{ name: 'udp', port: 53, protocol: 'UDP' }]),
    ];
    const findings = findingsOf(deploymentServices, [
      namespace('tools', { 'istio-injection': 'enabled' }),
      deployment('tools/probe', { app: 'probe' }, { inject: 'false' }),
      deployment('tools/waypoint', { app: 'probe' }, { meta: { 'gateway.istio.io/managed': 'istio.io/mesh-controller' } }),
      ...conflicting,
      namespace('plain'),
      deployment('plain/probe', { app: 'probe' }),
      service('plain/a', { app: 'probe' }, [{ name: 'tcp', port: 53 }]),
      service('plain/b', { app: 'probe' }, [{ name: 'udp', port: 53, protocol: 'UDP' }]),
      namespace('web'),
      deployment('web/site', { app: 'site' }, { proxy: true }),
      service('web/site', { app: 'site' }, [{ name: 'http', port: 80, targetPort: 8080 }]),
      service('web/site-canary', { app: 'site' }, [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]),
      service('web/everything', {}, [{ name: 'grpc', port: 80, protocol: 'UDP' }]),
    ]);
    expect(findings).toEqual([]);
  });
});
