// Assembles the sandbox API server: CRDs, bootstrap objects, RBAC, manifests, state.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { demoIdentities, type DemoIdentity } from './api/auth.ts';
import { clusterBehaviour } from './api/cluster-behaviour.ts';
import { Handlers, type RequestContext } from './api/handlers.ts';
import { ResourceRegistry } from './api/resources.ts';
import { createSandboxHandler } from './api/server.ts';
import { loadOrCreateCertificate, type Certificate } from './tls.ts';
import { createServer } from 'node:https';
import { StatusError } from './api/status.ts';
import { Store, type KubeObject } from './api/store.ts';
import { CrdRegistry, loadCrdFiles } from './schema/crd-registry.ts';
import type { Scenario } from './traffic/scenario.ts';
import { serveTraffic } from './traffic/server.ts';
import { TrafficSimulator } from './traffic/simulator.ts';

const here = dirname(new URL(import.meta.url).pathname);
export const defaultManifestDir = resolve(here, '../k8s/istio');

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Directory of YAML manifests loaded at start (k8s/istio by default); null loads none. */
  manifests?: string | null;
  /** File that persists the objects across restarts. */
  stateFile?: string;
  /** Where to write the kubeconfig; null writes none. */
  kubeconfig?: string | null;
  log?: (line: string) => void;
  logCapacity?: number;
  /** Runs the traffic simulator with this scenario, serving /metrics and Jaeger's API on trafficPort. */
  traffic?: { scenario: Scenario; port?: number };
  /** The bearer tokens the API accepts, one kubeconfig context each (the demo identities by default). */
  identities?: DemoIdentity[];
  /** Loads sandbox/rbac/demo-rbac.yaml, the demo users' and the dashboard's RBAC (default true). */
  demoRbac?: boolean;
  /** Creates the `meshdeck` namespace and the dashboard's service account in it (default true). */
  meshdeckNamespace?: boolean;
  /** Loads sandbox/istio/control-plane.yaml, Istio's control plane and sidecar injector (default true). */
  istioControlPlane?: boolean;
  /** Records an Event for every write, which a real API server does not (default true: the demo shows them). */
  writeEvents?: boolean;
}

export interface Sandbox {
  url: string;
  port: number;
  /** The server certificate (PEM), to trust when connecting. */
  certificate: string;
  kubeconfig: string | undefined;
  store: Store;
  registry: ResourceRegistry;
  /** The traffic simulator and its endpoint, when started with `traffic`. */
  simulator?: TrafficSimulator;
  trafficUrl?: string;
  /** Creates objects as the sandbox itself (bypassing RBAC, not validation). */
  load(objects: KubeObject[]): void;
  stop(): Promise<void>;
}

function readYamlObjects(path: string): KubeObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object' && 'kind' in o);
}

/** The order kubectl users apply in: namespaces and CRDs first, then the rest. */
function applyOrder(objects: KubeObject[]): KubeObject[] {
  const rank = (o: KubeObject) => (o.kind === 'Namespace' ? 0 : o.kind === 'CustomResourceDefinition' ? 1 : 2);
  return [...objects].sort((a, b) => rank(a) - rank(b));
}

export function writeKubeconfig(path: string, url: string, certificate: Certificate, identities: DemoIdentity[] = demoIdentities): void {
  mkdirSync(dirname(path), { recursive: true });
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'meshdeck-sandbox', cluster: { server: url, 'certificate-authority-data': Buffer.from(certificate.cert).toString('base64') } }],
    users: identities.map((i) => ({ name: i.context, user: { token: i.token } })),
    contexts: identities.map((i) => ({ name: i.context, context: { cluster: 'meshdeck-sandbox', user: i.context } })),
    'current-context': identities[0]?.context ?? 'sandbox-admin',
    preferences: {},
  };
  writeFileSync(path, `# Written by the Meshdeck sandbox (${url}). One context per demo identity.\n${stringify(config)}`, { mode: 0o600 });
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const crdFiles = readdirSync(join(here, 'crds'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(here, 'crds', f));
  const crdList = loadCrdFiles(crdFiles);
  const registry = new ResourceRegistry(new CrdRegistry([]), crdList);

  let saveTimer: NodeJS.Timeout | undefined;
  const store = new Store({
    logCapacity: options.logCapacity,
    onWrite: () => {
      if (!options.stateFile || saveTimer) return;
      saveTimer = setTimeout(save, 200);
    },
  });
  function save() {
    saveTimer = undefined;
    if (!options.stateFile) return;
    mkdirSync(dirname(options.stateFile), { recursive: true });
    const temporary = `${options.stateFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(store.snapshot()));
    renameSync(temporary, options.stateFile);
  }

  const hooks = clusterBehaviour(store, registry, { events: options.writeEvents ?? true });
  const handlers = new Handlers(store, registry, hooks);
  const crdType = registry.byPath('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;

  function load(objects: KubeObject[]): void {
    for (const object of applyOrder(objects)) {
      const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
      const type = registry.byKind(object.apiVersion, object.kind);
      if (!type) throw new Error(`the sandbox does not serve ${object.apiVersion} ${object.kind} (${object.metadata?.name})`);
      const ctx: RequestContext = {
        type,
        version: version!,
        namespace: type.namespaced ? (object.metadata.namespace ?? 'default') : undefined,
        name: undefined,
        subresource: undefined,
        // Strict, so that a typo in a manifest stops the start instead of being pruned.
        query: new URLSearchParams({ fieldValidation: 'Strict' }),
        user: { username: 'system:meshdeck-sandbox', groups: ['system:masters'] },
        manager: 'meshdeck-sandbox',
        warnings: [],
      };
      try {
        handlers.create(ctx, object);
      } catch (error) {
        if (error instanceof StatusError && error.reason === 'AlreadyExists') continue;
        throw new Error(`loading ${object.kind}/${object.metadata?.name} (group ${group}): ${(error as Error).message}`);
      }
    }
  }

  const restored = options.stateFile && existsSync(options.stateFile);
  if (restored) {
    store.restore(JSON.parse(readFileSync(options.stateFile!, 'utf8')));
  } else {
    load(crdList as unknown as KubeObject[]);
    load(readYamlObjects(join(here, 'rbac', 'bootstrap.yaml')));
    // Istio itself, before any workload: the injector must be there when the seed's pods are created.
    if (options.istioControlPlane ?? true) load(readYamlObjects(join(here, 'istio', 'control-plane.yaml')));
    if (options.demoRbac ?? true) {
      // Without the meshdeck namespace, the dashboard's account goes too (its binding stays, as on a cluster being set up).
      const inMeshdeck = (o: KubeObject) => (o.kind === 'Namespace' && o.metadata.name === 'meshdeck') || o.metadata.namespace === 'meshdeck';
      load(readYamlObjects(join(here, 'rbac', 'demo-rbac.yaml')).filter((o) => (options.meshdeckNamespace ?? true) || !inMeshdeck(o)));
    }
    const manifestDir = options.manifests === undefined ? defaultManifestDir : options.manifests;
    if (manifestDir) {
      const files = readdirSync(manifestDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
      load(files.flatMap((f) => readYamlObjects(join(manifestDir, f))));
    }
  }
  // CRDs created later through the API become servable kinds too.
  for (const crd of store.list(crdType)) registry.addCrd(crd as never);

  const kubeconfig = options.kubeconfig === null ? undefined : resolve(options.kubeconfig ?? '.sandbox/kubeconfig');
  // client-go sends bearer tokens only over TLS, so the sandbox speaks HTTPS even on loopback.
  const certificate = await loadOrCreateCertificate(kubeconfig ? join(dirname(kubeconfig), 'sandbox-tls.json') : undefined);
  const handler = createSandboxHandler({
    store,
    registry,
    identities: options.identities,
    hooks: {
      admit: hooks.admit,
      afterWrite: (ctx, verb, object) => {
        if (object.kind === 'CustomResourceDefinition' && verb !== 'delete') registry.addCrd(object as never);
        hooks.afterWrite(ctx, verb, object);
      },
    },
    log: options.log,
  });
  const server = createServer({ key: certificate.key, cert: certificate.cert }, handler);
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 6443, host, () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://${host}:${port}`;
  if (kubeconfig) writeKubeconfig(kubeconfig, url, certificate, options.identities);
  if (options.stateFile && !restored) save();

  let simulator: TrafficSimulator | undefined;
  let traffic: Awaited<ReturnType<typeof serveTraffic>> | undefined;
  if (options.traffic) {
    simulator = new TrafficSimulator({ store, registry, scenario: options.traffic.scenario });
    traffic = await serveTraffic(simulator, options.traffic.port ?? 16686, host);
    simulator.start();
  }

  return {
    simulator,
    trafficUrl: traffic?.url,
    url,
    port,
    certificate: certificate.cert,
    kubeconfig,
    store,
    registry,
    load,
    async stop() {
      simulator?.stop();
      traffic?.server.closeAllConnections();
      await new Promise<void>((r) => (traffic ? traffic.server.close(() => r()) : r()));
      clearTimeout(saveTimer);
      save();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
