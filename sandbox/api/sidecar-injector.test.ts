// The sandbox's Istio: its control plane and the sidecar injector the deployment controller and
// Pod creates go through, judged by the same analyzers a console runs against a real cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authnBlockedCidrs } from '../../lib/analysis/analyzers/authn-blockedcidrs.ts';
import { gatewayIngressPort } from '../../lib/analysis/analyzers/gateway-ingressport.ts';
import { injectionAnalyzer } from '../../lib/analysis/analyzers/injection-analyzer.ts';
import { injectionImage } from '../../lib/analysis/analyzers/injection-image.ts';
import { webhookInjectors } from '../../lib/analysis/analyzers/webhook-injectors.ts';
import { findingsOf, summarize } from '../../lib/analysis/testing.ts';
import type { AnalysisObject } from '../../lib/analysis/types.ts';
import { startTestSandbox, type TestSandbox } from '../testing.ts';
import type { KubeObject } from './store.ts';

interface Container {
  name: string;
  image?: string;
  readinessProbe?: { httpGet?: { path?: string; port?: number | string } };
  env?: { name: string; value?: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string }[];
}

const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

function deployment(ns: string, name: string, podLabels: Record<string, string>, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...podLabels }, annotations },
        spec: {
          containers: [
            {
              name,
              image: `registry.example/${name}:3.1`,
              ports: [{ containerPort: 9000, name: 'http' }],
              readinessProbe: { httpGet: { path: '/ready', port: 9000 }, timeoutSeconds: 2 },
            },
          ],
        },
      },
    },
  };
}

describe('the sandbox with Istio', () => {
  let sandbox: TestSandbox;
  const podType = () => sandbox.registry.byPath('', 'v1', 'pods')!;
  const podOf = (ns: string, app: string) => {
    const pods = sandbox.store.list(podType(), ns).filter((p) => p.metadata.labels?.app === app);
    expect(pods).toHaveLength(1);
    return pods[0]!;
  };
  const containerNames = (pod: KubeObject) => {
    const spec = pod.spec as PodSpec;
    return { containers: spec.containers.map((c) => c.name), initContainers: (spec.initContainers ?? []).map((c) => c.name) };
  };

  beforeAll(async () => {
    sandbox = await startTestSandbox({ manifests: null });
    sandbox.load([
      namespace('orchard', { 'istio-injection': 'enabled' }),
      namespace('greenhouse', { 'istio.io/rev': 'default' }),
      namespace('nursery', { 'istio.io/rev': 'canary' }),
      namespace('shed'),
      deployment('orchard', 'cider', { version: 'v2' }, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9000' }),
      deployment('orchard', 'press', { 'sidecar.istio.io/inject': 'false' }),
      deployment('greenhouse', 'seedling', {}),
      deployment('nursery', 'sapling', {}),
      deployment('shed', 'mower', {}),
      deployment('shed', 'trimmer', { 'sidecar.istio.io/inject': 'true' }),
    ]);
  });
  afterAll(() => sandbox?.stop());

  it('injects istio-init and istio-proxy where the namespace opts in, as the 1.30 injector renders them', () => {
    const pod = podOf('orchard', 'cider');
    expect(containerNames(pod)).toEqual({ containers: ['cider', 'istio-proxy'], initContainers: ['istio-init'] });
    const spec = pod.spec as PodSpec;
    const proxy = spec.containers[1]!;
    expect(proxy.image).toBe('docker.io/istio/proxyv2:1.30.3');
    expect(spec.initContainers![0]!.image).toBe('docker.io/istio/proxyv2:1.30.3');
    expect(JSON.parse(pod.metadata.annotations!['sidecar.istio.io/status']!)).toEqual({
      initContainers: ['istio-init'],
      containers: ['istio-proxy'],
      volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'],
      imagePullSecrets: null,
      revision: 'default',
    });
    expect(spec.volumes!.map((v) => v.name)).toContain('istio-token');
    expect(pod.metadata.labels).toMatchObject({
      'security.istio.io/tlsMode': 'istio',
      'service.istio.io/canonical-name': 'cider',
      'service.istio.io/canonical-revision': 'v2',
    });
    expect(pod.metadata.annotations).toMatchObject({
      'kubectl.kubernetes.io/default-container': 'cider',
      'prometheus.io/port': '15020',
      'prometheus.io/path': '/stats/prometheus',
    });
    // The app's probe goes through the agent; its own, and its scrape settings, move into the proxy's env.
    expect(spec.containers[0]!.readinessProbe!.httpGet).toEqual({ path: '/app-health/cider/readyz', port: 15020, scheme: 'HTTP' });
    const env = Object.fromEntries((proxy.env ?? []).map((e) => [e.name, e.value]));
    expect(JSON.parse(env.ISTIO_KUBE_APP_PROBERS!)).toEqual({ '/app-health/cider/readyz': { httpGet: { path: '/ready', port: 9000 }, timeoutSeconds: 2 } });
    expect(JSON.parse(env.ISTIO_PROMETHEUS_ANNOTATIONS!)).toEqual({ scrape: 'true', port: '9000' });
    expect(env.ISTIO_META_WORKLOAD_NAME).toBe('cider');
    // The Deployment's template is left as written.
    const template = (sandbox.store.get(sandbox.registry.byPath('apps', 'v1', 'deployments')!, 'orchard', 'cider')!.spec as { template: { spec: PodSpec } })
      .template;
    expect(template.spec.containers.map((c) => c.name)).toEqual(['cider']);
  });

  it('follows the webhooks and the inject label: revision label, opt-out, opt-in outside an injected namespace', () => {
    expect(containerNames(podOf('greenhouse', 'seedling')).containers).toEqual(['seedling', 'istio-proxy']);
    expect(containerNames(podOf('orchard', 'press')).containers).toEqual(['press']);
    // No webhook serves revision "canary".
    expect(containerNames(podOf('nursery', 'sapling')).containers).toEqual(['sapling']);
    expect(containerNames(podOf('shed', 'mower')).containers).toEqual(['mower']);
    expect(containerNames(podOf('shed', 'trimmer')).containers).toEqual(['trimmer', 'istio-proxy']);
  });

  it('injects pods created directly, once', async () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata: {name: ladder, namespace: orchard, labels: {app: ladder}}
spec: {containers: [{name: ladder, image: registry.example/ladder:1.0}]}
`;
    const created = await sandbox.kubectl(['apply', '-f', '-'], { input: manifest });
    expect(created.stderr).toBe('');
    const pod = podOf('orchard', 'ladder');
    expect(containerNames(pod)).toEqual({ containers: ['ladder', 'istio-proxy'], initContainers: ['istio-init'] });
    expect((pod.spec as PodSpec & { containers: { env?: { name: string; value?: string }[] }[] }).containers[1]!.env).toContainEqual({
      name: 'ISTIO_META_OWNER',
      value: 'kubernetes://apis/v1/namespaces/orchard/pods/ladder',
    });
    // A second apply changes nothing: the pod is not injected twice.
    expect((await sandbox.kubectl(['apply', '-f', '-'], { input: manifest })).status).toBe(0);
    expect(containerNames(podOf('orchard', 'ladder')).containers).toEqual(['ladder', 'istio-proxy']);
  });

  it("leaves Istio's analyzers nothing to say about injection, the injector webhooks, istiod or the ingress gateway", () => {
    const served = [
      ['', 'v1', 'namespaces'],
      ['', 'v1', 'pods'],
      ['', 'v1', 'services'],
      ['', 'v1', 'configmaps'],
      ['apps', 'v1', 'deployments'],
      ['admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations'],
    ] as const;
    const objects = served.flatMap(([group, version, plural]) => sandbox.store.list(sandbox.registry.byPath(group, version, plural)!)) as AnalysisObject[];
    const gateway = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'Gateway',
      metadata: { name: 'front', namespace: 'orchard' },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'] }] },
    } as AnalysisObject;
    const jwt = {
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'tokens', namespace: 'orchard' },
      spec: {},
    } as AnalysisObject;
    const findings = findingsOf([injectionAnalyzer, injectionImage, webhookInjectors, gatewayIngressPort, authnBlockedCidrs], [...objects, gateway, jwt]);
    // What remains is true of this cluster: namespaces nobody labelled for injection, and the pod
    // of a namespace labelled for a revision ("canary") that no injector serves.
    const sapling = podOf('nursery', 'sapling').metadata.name;
    expect(summarize(findings)).toEqual([
      `IST0103 Pod nursery/${sapling} spec.containers`,
      'IST0102 Namespace default metadata.labels',
      'IST0102 Namespace meshdeck metadata.labels',
      'IST0102 Namespace shed metadata.labels',
    ]);
  });

  it('runs istiod and the ingress gateway, uninjected, and can start without them', async () => {
    expect(containerNames(podOf('istio-system', 'istiod')).containers).toEqual(['discovery']);
    expect(containerNames(podOf('istio-system', 'istio-ingressgateway')).containers).toEqual(['istio-proxy']);
    const bare = await startTestSandbox({ manifests: null, istioControlPlane: false });
    try {
      bare.load([namespace('orchard', { 'istio-injection': 'enabled' }), deployment('orchard', 'cider', {})]);
      const pods = bare.store.list(bare.registry.byPath('', 'v1', 'pods')!, 'orchard');
      expect(pods.map((p) => (p.spec as PodSpec).containers.map((c) => c.name))).toEqual([['cider']]);
      expect(bare.store.list(bare.registry.byPath('', 'v1', 'pods')!, 'istio-system')).toEqual([]);
    } finally {
      await bare.stop();
    }
  });
});
