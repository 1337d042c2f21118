// Istio's sidecar injector, as far as what a cluster shows of it: the API server calls the
// injection webhook whose namespace and object selectors match a new pod (the
// MutatingWebhookConfigurations in the store, sandbox/istio/control-plane.yaml by default), and
// istiod renders its `sidecar` template with the values of `istio-sidecar-injector[-<rev>]`. The
// result is what `kubectl get pod -o yaml` shows on a cluster with Istio 1.30 in the classic
// sidecar layout (ENABLE_NATIVE_SIDECARS=false): the `istio-init` init container, the
// `istio-proxy` container, their volumes, the `sidecar.istio.io/status` annotation and the
// canonical-service and tlsMode labels. Nothing runs: the proxy's env carries what istiod would
// put there so that pages and analyzers reading it see a faithful pod.
import { parse } from 'yaml';
import { selectorMatches, type LabelSelector } from '../../lib/mesh/selectors.ts';
import type { ResourceRegistry } from './resources.ts';
import type { KubeObject, Store } from './store.ts';

const INJECT = 'sidecar.istio.io/inject';
const STATUS = 'sidecar.istio.io/status';
const REVISION = 'istio.io/rev';
/** Namespaces the injector never touches (istio/istio pkg/kube/inject IgnoredNamespaces). */
const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);
const PROXY_UID = 1337;
const STATUS_PORT = 15020;

interface Webhook {
  name?: string;
  clientConfig?: { service?: { name?: string; namespace?: string } };
  rules?: { operations?: string[]; apiGroups?: string[]; resources?: string[] }[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}
interface Probe {
  httpGet?: { path?: string; port?: number | string; scheme?: string; httpHeaders?: unknown };
  timeoutSeconds?: number;
  [key: string]: unknown;
}
interface Container {
  name: string;
  ports?: { name?: string; containerPort?: number; protocol?: string }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  [key: string]: unknown;
}
interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
  hostNetwork?: boolean;
  [key: string]: unknown;
}
type Values = { global?: { hub?: string; tag?: string; imagePullPolicy?: string; proxy?: Record<string, unknown>; proxy_init?: { image?: string } } };

const coversPodCreate = (hook: Webhook) =>
  (hook.rules ?? []).some(
    (rule) =>
      (rule.operations ?? []).some((o) => o === 'CREATE' || o === '*') &&
      (rule.apiGroups ?? []).some((g) => g === '' || g === '*') &&
      (rule.resources ?? []).some((r) => r === 'pods' || r === '*'),
  );

/** The image as Istio's templates build it: as is when it names a registry, else `<hub>/<image>:<tag>`. */
const imageOf = (values: Values, image: string | undefined) =>
  !image ? undefined : image.includes('/') ? image : `${values.global?.hub ?? 'docker.io/istio'}/${image}:${values.global?.tag ?? ''}`;

function parseData(configMap: KubeObject | undefined, key: string): Record<string, unknown> {
  try {
    const parsed: unknown = parse(String((configMap?.data as Record<string, string> | undefined)?.[key] ?? ''));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** istiod's decision for a pod its webhook was called for (inject.go injectRequired). */
function injectionRequired(pod: KubeObject, spec: PodSpec, policy: unknown): boolean {
  if (spec.hostNetwork || pod.metadata.annotations?.[STATUS]) return false;
  // The label wins over the legacy annotation; y, yes, true and on opt in, any other value out.
  const asked = (pod.metadata.labels?.[INJECT] ?? pod.metadata.annotations?.[INJECT] ?? '').toLowerCase();
  if (asked !== '') return ['y', 'yes', 'true', 'on'].includes(asked);
  return policy !== 'disabled';
}

/** The canonical service: the pod's labels, else its workload's name (a Deployment's for its pods). */
const canonicalName = (labels: Record<string, string>, workload: string) =>
  (labels['service.istio.io/canonical-name'] ?? labels['app.kubernetes.io/name'] ?? labels.app ?? workload).slice(0, 63).replace(/-$/, '');
const canonicalRevision = (labels: Record<string, string>) =>
  labels['service.istio.io/canonical-revision'] ?? labels['app.kubernetes.io/version'] ?? labels.version ?? 'latest';

/** Rewrites app HTTP probes to go through the agent's status port (rewriteAppHTTPProbe), returning the originals. */
function rewriteProbes(containers: Container[]): Record<string, unknown> {
  const originals: Record<string, unknown> = {};
  const kinds = [
    ['readinessProbe', 'readyz'],
    ['livenessProbe', 'livez'],
    ['startupProbe', 'startupz'],
  ] as const;
  for (const container of containers) {
    for (const [field, suffix] of kinds) {
      const probe = container[field];
      if (!probe?.httpGet) continue;
      const path = `/app-health/${container.name}/${suffix}`;
      originals[path] = { httpGet: probe.httpGet, ...(probe.timeoutSeconds ? { timeoutSeconds: probe.timeoutSeconds } : {}) };
      container[field] = { ...probe, httpGet: { path, port: STATUS_PORT, scheme: 'HTTP' } };
    }
  }
  return originals;
}

const seconds = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback);
const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });

export function sidecarInjector(store: Store, registry: ResourceRegistry) {
  const namespaceType = registry.byPath('', 'v1', 'namespaces')!;
  const configMapType = registry.byPath('', 'v1', 'configmaps')!;
  const webhookType = registry.byPath('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations')!;

  /** The injection webhook the API server would call for this pod, with its configuration's revision. */
  function matchingWebhook(pod: KubeObject, namespace: string) {
    const namespaceLabels = { ...store.get(namespaceType, undefined, namespace)?.metadata.labels, 'kubernetes.io/metadata.name': namespace };
    for (const configuration of store.list(webhookType)) {
      for (const hook of (configuration.webhooks ?? []) as Webhook[]) {
        if (!(hook.name ?? '').endsWith('sidecar-injector.istio.io') || !coversPodCreate(hook)) continue;
        if (selectorMatches(hook.namespaceSelector, namespaceLabels) && selectorMatches(hook.objectSelector, pod.metadata.labels ?? {}))
          return { hook, revision: configuration.metadata.labels?.[REVISION] ?? 'default' };
      }
    }
    return undefined;
  }

  /** Injects the sidecar into a pod being created, in place, when Istio would; `deployment` names the pod's Deployment, if any. */
  return function inject(pod: KubeObject, deployment?: string): void {
    const namespace = pod.metadata.namespace ?? 'default';
    const workload = deployment ?? pod.metadata.name;
    const owner = deployment ? `apps/v1/namespaces/${namespace}/deployments/${deployment}` : `v1/namespaces/${namespace}/pods/${workload}`;
    const spec = (pod.spec ??= {}) as PodSpec;
    if (IGNORED_NAMESPACES.has(namespace)) return;
    const match = matchingWebhook(pod, namespace);
    const istioNamespace = match?.hook.clientConfig?.service?.namespace ?? 'istio-system';
    const injectorName = !match || match.revision === 'default' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${match.revision}`;
    // Without its ConfigMap istiod is not installed: no sidecar (a real webhook call would fail).
    const injectorConfigMap = store.get(configMapType, istioNamespace, injectorName);
    if (!match || !injectorConfigMap) return;
    const config = parseData(injectorConfigMap, 'config');
    if (!injectionRequired(pod, spec, config.policy)) return;
    const values = parseData(injectorConfigMap, 'values') as Values;
    const mesh = parseData(store.get(configMapType, istioNamespace, 'istio'), 'mesh');
    const proxy = values.global?.proxy ?? {};
    const annotations = (pod.metadata.annotations ??= {});
    const labels = (pod.metadata.labels ??= {});
    const proxyImage = annotations['sidecar.istio.io/proxyImage'] ?? imageOf(values, proxy.image as string | undefined);
    const initImage = imageOf(values, values.global?.proxy_init?.image) ?? proxyImage;
    const appContainers = spec.containers ?? [];
    const trustDomain = typeof mesh.trustDomain === 'string' ? mesh.trustDomain : 'cluster.local';
    const clusterDomain = typeof proxy.clusterDomain === 'string' ? proxy.clusterDomain : 'cluster.local';

    const env: { name: string; value?: string; valueFrom?: unknown }[] = [
      { name: 'PILOT_CERT_PROVIDER', value: 'istiod' },
      { name: 'CA_ADDR', value: `istiod.${istioNamespace}.svc:15012` },
      fieldEnv('POD_NAME', 'metadata.name'),
      fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
      fieldEnv('INSTANCE_IP', 'status.podIP'),
      fieldEnv('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
      fieldEnv('HOST_IP', 'status.hostIP'),
      { name: 'ISTIO_CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'PROXY_CONFIG', value: JSON.stringify(mesh.defaultConfig ?? {}) },
      { name: 'ISTIO_META_POD_PORTS', value: JSON.stringify(appContainers.flatMap((c) => c.ports ?? [])) },
      { name: 'ISTIO_META_APP_CONTAINERS', value: appContainers.map((c) => c.name).join(',') },
      { name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
      { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'ISTIO_META_CLUSTER_ID', value: 'Kubernetes' },
      { name: 'ISTIO_META_INTERCEPTION_MODE', value: 'REDIRECT' },
      { name: 'ISTIO_META_WORKLOAD_NAME', value: workload },
      { name: 'ISTIO_META_OWNER', value: `kubernetes://apis/${owner}` },
      { name: 'ISTIO_META_MESH_ID', value: trustDomain },
      { name: 'TRUST_DOMAIN', value: trustDomain },
    ];
    const probers = (values as { sidecarInjectorWebhook?: { rewriteAppHTTPProbe?: boolean } }).sidecarInjectorWebhook?.rewriteAppHTTPProbe
      ? rewriteProbes(appContainers)
      : {};
    if (Object.keys(probers).length > 0) env.push({ name: 'ISTIO_KUBE_APP_PROBERS', value: JSON.stringify(probers) });
    // Prometheus merge: the agent serves the app's and Envoy's metrics on one port; the app's own scrape settings move into the env.
    if (mesh.enablePrometheusMerge !== false && annotations['prometheus.io/scrape'] !== 'false') {
      const own = Object.fromEntries(
        ['scrape', 'path', 'port'].flatMap((k) => (annotations[`prometheus.io/${k}`] ? [[k, annotations[`prometheus.io/${k}`]]] : [])),
      );
      if (Object.keys(own).length > 0) env.push({ name: 'ISTIO_PROMETHEUS_ANNOTATIONS', value: JSON.stringify(own) });
      Object.assign(annotations, { 'prometheus.io/path': '/stats/prometheus', 'prometheus.io/port': String(STATUS_PORT), 'prometheus.io/scrape': 'true' });
    }

    const istioInit: Container = {
      name: 'istio-init',
      image: initImage,
      args: [
        'istio-iptables',
        '-p',
        '15001',
        '-z',
        '15006',
        '-u',
        String(PROXY_UID),
        '-m',
        'REDIRECT',
        '-i',
        '*',
        '-x',
        '',
        '-b',
        '*',
        '-d',
        '15090,15021,15020',
        '--log_output_level=default:info',
      ],
      resources: proxy.resources,
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: false,
        runAsGroup: 0,
        runAsNonRoot: false,
        runAsUser: 0,
      },
    };
    const istioProxy: Container = {
      name: 'istio-proxy',
      image: proxyImage,
      args: [
        'proxy',
        'sidecar',
        '--domain',
        `$(POD_NAMESPACE).svc.${clusterDomain}`,
        `--proxyLogLevel=${String(proxy.logLevel ?? 'warning')}`,
        `--proxyComponentLogLevel=${String(proxy.componentLogLevel ?? 'misc:error')}`,
        '--log_output_level=default:info',
      ],
      ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }],
      env,
      readinessProbe: {
        httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' },
        initialDelaySeconds: seconds(proxy.readinessInitialDelaySeconds, 0),
        periodSeconds: seconds(proxy.readinessPeriodSeconds, 15),
        timeoutSeconds: seconds(proxy.readinessTimeoutSeconds, 3),
        failureThreshold: seconds(proxy.readinessFailureThreshold, 4),
      },
      resources: proxy.resources,
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsGroup: PROXY_UID,
        runAsNonRoot: true,
        runAsUser: PROXY_UID,
      },
      volumeMounts: [
        { mountPath: '/var/run/secrets/workload-spiffe-uds', name: 'workload-socket' },
        { mountPath: '/var/run/secrets/credential-uds', name: 'credential-socket' },
        { mountPath: '/var/run/secrets/workload-spiffe-credentials', name: 'workload-certs' },
        { mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' },
        { mountPath: '/var/lib/istio/data', name: 'istio-data' },
        { mountPath: '/etc/istio/proxy', name: 'istio-envoy' },
        { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
        { mountPath: '/etc/istio/pod', name: 'istio-podinfo' },
      ],
    };
    const volumes = [
      { name: 'workload-socket', emptyDir: {} },
      { name: 'credential-socket', emptyDir: {} },
      { name: 'workload-certs', emptyDir: {} },
      { name: 'istio-envoy', emptyDir: { medium: 'Memory' } },
      { name: 'istio-data', emptyDir: {} },
      {
        name: 'istio-podinfo',
        downwardAPI: {
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
          ],
        },
      },
      { name: 'istio-token', projected: { sources: [{ serviceAccountToken: { audience: 'istio-ca', expirationSeconds: 43200, path: 'istio-token' } }] } },
      { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } },
    ];
    spec.initContainers = [...(spec.initContainers ?? []), istioInit];
    spec.containers = [...appContainers, istioProxy];
    spec.volumes = [...(spec.volumes ?? []), ...volumes];
    const firstApp = appContainers[0]?.name;
    if (firstApp) {
      annotations['kubectl.kubernetes.io/default-container'] ??= firstApp;
      annotations['kubectl.kubernetes.io/default-logs-container'] ??= firstApp;
    }
    annotations[REVISION] = match.revision;
    annotations[STATUS] = JSON.stringify({
      initContainers: ['istio-init'],
      containers: ['istio-proxy'],
      volumes: volumes.map((v) => v.name),
      imagePullSecrets: null,
      revision: match.revision,
    });
    labels['security.istio.io/tlsMode'] = 'istio';
    labels['service.istio.io/canonical-name'] = canonicalName(labels, workload);
    labels['service.istio.io/canonical-revision'] = canonicalRevision(labels);
  };
}
