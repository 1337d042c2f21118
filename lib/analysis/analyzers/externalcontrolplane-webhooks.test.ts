import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { externalControlPlaneWebhooks } from './externalcontrolplane-webhooks';

const remote = (kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration', name: string, clientConfig: unknown) =>
  obj(kind, name, undefined, {
    webhooks: [{ name: 'rev.object.sidecar-injector.istio.io', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig }],
  });

describe('externalcontrolplane.externalcontrolplane', () => {
  it('reports an IP address (IST0164) and a URL that does not parse or has no host (IST0163)', () => {
    const findings = findingsOf(externalControlPlaneWebhooks, [
      remote('MutatingWebhookConfiguration', 'istio-sidecar-injector-external-istiod', { url: 'https://203.0.113.7:15017/inject/cluster/remote1/net/net1' }),
      remote('ValidatingWebhookConfiguration', 'istio-validator-external-istiod', { url: 'https://istiod.example.com:port/validate' }),
      remote('ValidatingWebhookConfiguration', 'istiod-default-validator', { url: 'istiod.example.com/validate' }),
      remote('MutatingWebhookConfiguration', 'istio-sidecar-injector-blank', {}),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0163 MutatingWebhookConfiguration istio-sidecar-injector-blank webhooks[0].clientConfig',
      'IST0163 ValidatingWebhookConfiguration istio-validator-external-istiod webhooks[0].clientConfig.url',
      'IST0163 ValidatingWebhookConfiguration istiod-default-validator webhooks[0].clientConfig.url',
      'IST0164 MutatingWebhookConfiguration istio-sidecar-injector-external-istiod webhooks[0].clientConfig.url',
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'The hostname () that was provided for the webhook (rev.object.sidecar-injector.istio.io) to reach the ingress gateway on the external control plane cluster is blank. Traffic may not flow properly.',
      'The hostname (https://istiod.example.com:port/validate) that was provided for the webhook (rev.object.sidecar-injector.istio.io) to reach the ingress gateway on the external control plane cluster was provided in an invalid format. Traffic may not flow properly.',
      'The hostname (istiod.example.com/validate) that was provided for the webhook (rev.object.sidecar-injector.istio.io) to reach the ingress gateway on the external control plane cluster cannot be resolved via a DNS lookup. Traffic may not flow properly.',
      'The address (https://203.0.113.7:15017/inject/cluster/remote1/net/net1) that was provided for the webhook (rev.object.sidecar-injector.istio.io) to reach the ingress gateway on the external control plane cluster is an IP address. This is not recommended for a production environment.',
    ]);
    expect(findings.at(-1)!.level).toBe('Info');
  });

  it('accepts hostnames, in-cluster Services, IPv6 is an IP, and webhooks that are not Istio’s are not read', () => {
    const findings = findingsOf(externalControlPlaneWebhooks, [
      remote('MutatingWebhookConfiguration', 'istio-sidecar-injector', { service: { name: 'istiod', namespace: 'istio-system' } }),
      remote('ValidatingWebhookConfiguration', 'istio-validator-istio-system', { url: 'https://istiod.mesh.example.com:15017/validate' }),
      remote('ValidatingWebhookConfiguration', 'gatekeeper', { url: 'https://10.0.0.1/validate' }),
    ]);
    expect(findings).toEqual([]);
    const v6 = findingsOf(externalControlPlaneWebhooks, [
      remote('MutatingWebhookConfiguration', 'istio-sidecar-injector-v6', { url: 'https://[2001:db8::5]:15017/inject' }),
    ]);
    expect(summarize(v6)).toEqual(['IST0164 MutatingWebhookConfiguration istio-sidecar-injector-v6 webhooks[0].clientConfig.url']);
  });
});
