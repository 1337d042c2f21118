import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { injectionImage } from './injection-image';

const namespace = (name: string, labels: Record<string, string>) => obj('Namespace', name, undefined, { metadata: { labels } });
const injector = (name: string, global: Record<string, unknown>) =>
  obj('ConfigMap', `istio-system/${name}`, undefined, { data: { values: JSON.stringify({ global }) } });
const pod = (ref: string, proxyImage: string, extra: { native?: boolean; annotations?: Record<string, string> } = {}) => {
  const proxy = { name: 'istio-proxy', image: proxyImage };
  return obj(
    'Pod',
    ref,
    {
      containers: [{ name: 'app', image: 'app:1' }, ...(extra.native ? [] : [proxy])],
      initContainers: extra.native ? [{ ...proxy, restartPolicy: 'Always' }] : [],
    },
    { metadata: { annotations: extra.annotations ?? {} } },
  );
};

describe('injection.image', () => {
  it('reports on the namespace the pods whose proxy image is not the injector one', () => {
    const findings = findingsOf(injectionImage, [
      injector('istio-sidecar-injector', { hub: 'docker.io/istio', tag: '1.24.2', proxy: { image: 'proxyv2' } }),
      namespace('orders', { 'istio-injection': 'enabled' }),
      pod('orders/api-1', 'docker.io/istio/proxyv2:1.24.2'),
      pod('orders/api-2', 'docker.io/istio/proxyv2:1.23.4'),
      pod('orders/worker-1', 'docker.io/istio/proxyv2:1.23.4', { native: true }),
      pod('orders/custom', 'mirror.example/proxyv2:debug', { annotations: { 'sidecar.istio.io/proxyImage': 'mirror.example/proxyv2:debug' } }),
    ]);
    expect(summarize(findings)).toEqual(['IST0158 Namespace orders']);
    expect(findings[0]!.message).toBe(
      'The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: [api-2 worker-1]). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.',
    );
  });

  it("uses the revision's injector, a full image reference as is, and skips namespaces not injected", () => {
    const findings = findingsOf(injectionImage, [
      injector('istio-sidecar-injector-canary', { hub: 'ignored', tag: 'ignored', proxy: { image: 'gcr.example/istio/proxyv2:1.25.0' } }),
      namespace('canary-apps', { 'istio.io/rev': 'canary' }),
      pod('canary-apps/web-1', 'gcr.example/istio/proxyv2:1.25.0'),
      namespace('plain', { 'istio-injection': 'disabled' }),
      pod('plain/old', 'docker.io/istio/proxyv2:1.10.0'),
      namespace('no-injector', { 'istio.io/rev': 'gone' }),
      pod('no-injector/old', 'docker.io/istio/proxyv2:1.10.0'),
    ]);
    expect(findings).toEqual([]);
  });
});
