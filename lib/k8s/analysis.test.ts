import { describe, expect, it } from 'vitest';
import { K } from '@/lib/analysis/kinds';
import { CONFIG_MAP_PROJECTION, CRD_PROJECTION, WATCHED, WEBHOOK_PROJECTION } from './analysis';

describe('what the live analysis watches', () => {
  it('watches every kind the analyzers may read, once', () => {
    expect(WATCHED.map((w) => w.kind).sort()).toEqual(Object.values(K).sort());
  });

  it("keeps only Istio's own ConfigMaps' data", () => {
    const configMap = (name: string) => ({ metadata: { name, namespace: 'istio-system' }, data: { mesh: 'rootNamespace: istio-system' } });
    expect(CONFIG_MAP_PROJECTION.keep(configMap('istio'))).toHaveProperty('data');
    expect(CONFIG_MAP_PROJECTION.keep(configMap('istio-sidecar-injector'))).toHaveProperty('data');
    expect(CONFIG_MAP_PROJECTION.keep(configMap('meshdeck-audit-1'))).not.toHaveProperty('data');
  });

  it('drops CRD schemas and webhook CA bundles', () => {
    const crd = CRD_PROJECTION.keep({
      metadata: { name: 'httproutes.gateway.networking.k8s.io' },
      spec: { group: 'gateway.networking.k8s.io', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {} } }] },
    } as never) as { spec: unknown };
    expect(crd.spec).toEqual({ group: 'gateway.networking.k8s.io', versions: [{ name: 'v1', served: true, storage: true }] });
    const webhook = WEBHOOK_PROJECTION.keep({
      metadata: { name: 'istio-sidecar-injector' },
      webhooks: [{ name: 'a', clientConfig: { caBundle: 'LS0t', service: { name: 'istiod', namespace: 'istio-system' } } }],
    } as never) as { webhooks: unknown };
    expect(webhook.webhooks).toEqual([{ name: 'a', clientConfig: { service: { name: 'istiod', namespace: 'istio-system' } } }]);
  });
});
