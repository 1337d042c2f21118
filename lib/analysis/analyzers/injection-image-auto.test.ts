import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { findingsOf, obj, summarize } from '../testing';
import { injectionImageAuto } from './injection-image-auto';

const autoProxy = { name: 'istio-proxy', image: 'auto' };
const deployment = (ref: string, labels: Record<string, string>) =>
  obj('Deployment', ref, { template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:1' }, autoProxy] } } });
const webhooks = obj('MutatingWebhookConfiguration', 'istio-sidecar-injector', undefined, {
  webhooks: [
    {
      name: 'rev.namespace.sidecar-injector.istio.io',
      namespaceSelector: { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: ['default'] }] },
    },
    {
      name: 'namespace.sidecar-injector.istio.io',
      namespaceSelector: { matchLabels: { 'istio-injection': 'enabled' } },
      objectSelector: { matchExpressions: [{ key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] }] },
    },
    { name: 'other.example.com' },
  ],
});
const namespace = (name: string, labels: Record<string, string>) => obj('Namespace', name, undefined, { metadata: { labels } });

describe('injection.imageauto', () => {
  it('reports a pod with image: auto (it was not injected) as an error', () => {
    const findings = findingsOf(injectionImageAuto, [
      obj('Pod', 'gateways/edge-1', { containers: [autoProxy] }),
      obj('Pod', 'gateways/edge-2', { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2' }] }),
    ]);
    expect(summarize(findings)).toEqual(['IST0147 Pod gateways/edge-1 spec.containers[0].image']);
    expect(findings[0]!.message).toBe('Pod edge-1 contains `image: auto` but does not match any Istio injection webhook selectors.');
    expect(findings[0]!.level).toBe('Error');
  });

  it('reports a deployment with image: auto that no Istio webhook selects', () => {
    const findings = findingsOf(injectionImageAuto, [
      webhooks,
      namespace('gateways', { 'istio-injection': 'enabled' }),
      namespace('edge', { 'istio.io/rev': 'default' }),
      namespace('plain', { team: 'web' }),
      deployment('gateways/ingress', { app: 'ingress' }),
      deployment('gateways/opted-out', { app: 'x', 'sidecar.istio.io/inject': 'false' }),
      deployment('edge/ingress', { app: 'ingress' }),
      deployment('plain/ingress', { app: 'ingress' }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0146 Deployment gateways/opted-out spec.template.spec.containers[1].image',
      'IST0146 Deployment plain/ingress spec.template.spec.containers[1].image',
    ]);
    expect(findings[1]!.message).toBe('Deployment ingress contains `image: auto` but does not match any Istio injection webhook selectors.');
  });

  it('does not judge deployments when webhook configurations were not loaded', () => {
    const analysis = new Analysis([injectionImageAuto], [namespace('plain', {}), deployment('plain/ingress', { app: 'ingress' })], {
      kinds: ['Namespace', 'apps/Deployment', 'Pod'],
    });
    expect(analysis.findings()).toEqual([]);
  });
});
