// Meshdeck's configuration read from a running sandbox loaded with k8s/istio, through the
// dashboard's own service account and the watch cache: the seed's ConfigMap, then changes.
import { describe, expect, it } from 'vitest';
import { dashboardSandbox } from '../security/sandbox-requests';

const api = dashboardSandbox();
const configMap = (namespace: string, name: string, labels: Record<string, string>, text: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace, name, labels },
  data: { 'meshdeck.yaml': text },
});

describe('reading the configuration from the cluster', () => {
  it('finds the seed ConfigMap among all the ConfigMaps', async () => {
    const { readMeshdeckConfig } = await import('./reader');
    const loaded = await readMeshdeckConfig();
    expect(loaded.error).toBeUndefined();
    expect(loaded.problems).toEqual([]);
    expect(loaded.sources.map((s) => `${s.namespace}/${s.name}`)).toEqual(['ai-nutritionist/meshdeck-config']);
    expect(loaded.sources[0]!.config.canary?.alerts).toEqual(['CanaryHighErrorRate']);
  });

  it('follows changes: a new labelled ConfigMap is used, a broken one reported, an unlabelled one ignored', async () => {
    const { readMeshdeckConfig } = await import('./reader');
    await api('/api/v1/namespaces/istio-system/configmaps', {
      method: 'POST',
      body: configMap('istio-system', 'mesh-slos', { 'meshdeck.io/config': 'true' }, 'slos: [{sli: availability, objective: 0.99}]'),
    });
    await api('/api/v1/namespaces/istio-system/configmaps', {
      method: 'POST',
      body: configMap('istio-system', 'broken', { 'meshdeck.io/config': 'true' }, 'slos: [{sli: availability, objective: 2}]'),
    });
    await api('/api/v1/namespaces/istio-system/configmaps', { method: 'POST', body: configMap('istio-system', 'unrelated', {}, 'slos: nonsense') });
    await expect
      .poll(async () => (await readMeshdeckConfig()).sources.map((s) => `${s.namespace}/${s.name}`), { timeout: 5000 })
      .toEqual(['ai-nutritionist/meshdeck-config', 'istio-system/mesh-slos']);
    expect((await readMeshdeckConfig()).problems).toEqual([
      'ConfigMap istio-system/broken: slos.0.objective: must be a ratio between 0 and 1 (0.999 is 99.9%)',
    ]);
  });
});
