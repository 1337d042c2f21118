import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { K } from '../kinds';
import { findingsOf, obj, summarize } from '../testing';
import { webhookInjectors } from './webhook-injectors';

const hook = (name: string, namespaceSelector?: unknown, objectSelector?: unknown, service = { name: 'istiod', namespace: 'mesh-control' }) => ({
  name,
  admissionReviewVersions: ['v1'],
  sideEffects: 'None',
  clientConfig: { service: { ...service, path: '/inject' } },
  ...(namespaceSelector ? { namespaceSelector } : {}),
  ...(objectSelector ? { objectSelector } : {}),
});
const injector = (name: string, webhooks: unknown[], labels?: Record<string, string>) =>
  obj('MutatingWebhookConfiguration', name, undefined, { webhooks, ...(labels ? { metadata: { labels } } : {}) });
const istiod = obj('Service', 'mesh-control/istiod', { selector: { app: 'istiod' }, ports: [{ name: 'https-webhook', port: 443, targetPort: 15017 }] });
const istiodCanary = obj('Service', 'mesh-control/istiod-canary', { selector: { app: 'istiod', rev: 'canary' }, ports: [{ port: 443 }] });

// The two webhooks Istio installs per revision: by namespace label, and by pod label where the namespace has none.
const byNamespace = (rev?: string) =>
  rev
    ? {
        matchExpressions: [
          { key: 'istio.io/rev', operator: 'In', values: [rev] },
          { key: 'istio-injection', operator: 'DoesNotExist' },
        ],
      }
    : { matchExpressions: [{ key: 'istio-injection', operator: 'In', values: ['enabled'] }] };
const notDisabled = { matchExpressions: [{ key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] }] };

describe('webhook.analyzer', () => {
  it('accepts the default and a canary revision installed side by side', () => {
    const findings = findingsOf(webhookInjectors, [
      injector('istio-sidecar-injector', [hook('namespace.sidecar-injector.istio.io', byNamespace(), notDisabled)]),
      injector(
        'istio-sidecar-injector-canary',
        [hook('rev.namespace.sidecar-injector.istio.io', byNamespace('canary'), notDisabled, { name: 'istiod-canary', namespace: 'mesh-control' })],
        {
          'istio.io/rev': 'canary',
        },
      ),
      istiod,
      istiodCanary,
    ]);
    expect(findings).toEqual([]);
  });

  it('reports two injectors that both take a labelled namespace, on each of them', () => {
    const findings = findingsOf(webhookInjectors, [
      injector('istio-sidecar-injector', [hook('namespace.sidecar-injector.istio.io', byNamespace(), notDisabled)]),
      injector('istio-sidecar-injector-copy', [hook('copy.sidecar-injector.istio.io', { matchLabels: { 'istio-injection': 'enabled' } })]),
      istiod,
    ]);
    expect(summarize(findings)).toEqual([
      'IST0139 MutatingWebhookConfiguration istio-sidecar-injector webhooks[0]',
      'IST0139 MutatingWebhookConfiguration istio-sidecar-injector-copy webhooks[0]',
    ]);
    expect(findings[0]!.level).toBe('Error');
    expect(findings[0]!.message).toBe(
      'Webhook overlaps with others: [istio-sidecar-injector-copy/copy.sidecar-injector.istio.io]. This may cause injection to occur twice.',
    );
  });

  it('reports an injector calling a Service that does not exist, and ignores webhooks that are not Istio’s', () => {
    const findings = findingsOf(webhookInjectors, [
      injector('istio-sidecar-injector', [
        hook('namespace.sidecar-injector.istio.io', byNamespace(), notDisabled, { name: 'istiod-old', namespace: 'mesh-control' }),
      ]),
      injector('cert-manager-webhook', [hook('webhook.cert-manager.io', undefined, undefined, { name: 'gone', namespace: 'cert-manager' })]),
      injector('vault-agent', [hook('vault.hashicorp.com')]),
      istiod,
    ]);
    expect(summarize(findings)).toEqual(['IST0139 MutatingWebhookConfiguration istio-sidecar-injector webhooks[0].clientConfig.service']);
    expect(findings[0]!.message).toBe('Injector refers to a control plane service that does not exist: mesh-control/istiod-old.');
  });

  it('skips the Service check when Services were not loaded, and re-checks when an overlapping injector goes away', () => {
    const unread = new Analysis([webhookInjectors], [injector('istio-sidecar-injector', [hook('a.sidecar-injector.istio.io', byNamespace())])], {
      kinds: [K.MutatingWebhookConfiguration],
    });
    expect(unread.findings()).toEqual([]);
    const copy = injector('istio-sidecar-injector-copy', [hook('b.sidecar-injector.istio.io', byNamespace())]);
    const analysis = new Analysis([webhookInjectors], [injector('istio-sidecar-injector', [hook('a.sidecar-injector.istio.io', byNamespace())]), copy, istiod]);
    expect(analysis.findings()).toHaveLength(2);
    analysis.apply([{ type: 'delete', object: copy }]);
    expect(analysis.findings()).toEqual([]);
  });
});
