// Generated meshes for measuring at scale: N services in M namespaces with a random call DAG,
// 1–3 versions each, canary splits, breakers, failing versions, ServiceEntry hosts, TCP and
// gRPC services and plaintext clients, as Kubernetes objects plus the scenario that drives
// traffic over every edge. Deterministic for a seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../api/store.ts';
import type { Call, PlaintextClient, Scenario, VersionBehaviour } from '../traffic/scenario.ts';

export interface GenerateMeshOptions {
  namespaces: number;
  /** Deployments: one per version of a service. */
  workloads: number;
  /**
   * Workload-level call edges inside the mesh: caller workload → destination workload (or
   * ServiceEntry host). A service call A→B makes versions(A) × versions(B) of them. The
   * gateway's and the plaintext clients' edges come on top.
   */
  edges: number;
  seed?: number;
  /** Most versions per service (1–3, default 3). */
  versions?: number;
  /** Share of workloads that fail part of their requests (default 0.05). */
  failingShare?: number;
  /** ServiceEntry (MESH_EXTERNAL) hosts some services call (default: 1 per 10 namespaces, 1–5). */
  externalHosts?: number;
  /** Share of services serving TCP (databases: leaves of the DAG; default 0.05). */
  tcpShare?: number;
  /** Share of services serving gRPC (default 0.1). */
  grpcShare?: number;
  /** Clients outside the mesh calling a service in plaintext (default 3). */
  plaintextClients?: number;
  /**
   * Fewest requests/s on any workload edge (default 0.25): about 14 a minute, so that none of
   * 3,000 edges goes a minute without traffic (a Poisson draw of 0 is 1 in a million).
   */
  minEdgeRate?: number;
}

export interface GeneratedMeshSummary {
  namespaces: number;
  services: number;
  workloads: number;
  /** Workload-level edges inside the mesh (the `edges` option, as reached). */
  edges: number;
  /** Service-level calls (scenario `calls` entries). */
  serviceCalls: number;
  entryServices: number;
  externalHosts: number;
  tcpServices: number;
  grpcServices: number;
  plaintextClients: number;
  /** Requests (and TCP connections) per second the scenario makes, every hop counted. */
  requestsPerSecond: number;
}

export interface GeneratedMesh {
  objects: KubeObject[];
  scenario: Scenario;
  summary: GeneratedMeshSummary;
}

export const GENERATED_GATEWAY = { namespace: 'mesh-0', name: 'mesh-gateway', host: 'api.mesh.example' };

type Protocol = 'http' | 'grpc' | 'tcp';

interface ServicePlan {
  index: number;
  name: string;
  namespace: string;
  protocol: Protocol;
  versions: string[];
  weights: number[]; // percent per version, the VirtualService split
  entry: boolean;
  outlierDetection: boolean;
  behaviour: VersionBehaviour[];
}

/** A call edge: a service to a service (`to` its index) or to an external host. */
interface EdgePlan {
  from: number;
  to: number | string;
  required: number; // req/s that gives each workload pair at least minEdgeRate
  flow: number;
}

/** Mulberry32: a small, fast, seedable generator. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Splits whose smallest share is 20%, so the rarest caller-version × destination-version pair still gets 4% of an edge.
const SPLITS: Record<number, number[][]> = {
  1: [[100]],
  2: [
    [50, 50],
    [70, 30],
    [80, 20],
  ],
  3: [
    [34, 33, 33],
    [60, 20, 20],
    [50, 30, 20],
  ],
};
const VERSION_NAMES = ['v1', 'v2', 'v3'];
const EXTERNAL_NAMES = ['api.payments.example.com', 'api.llm.example.com', 'smtp-relay.example.net', 'maps.example.org', 'auth.example.io'];

const fqdn = (s: { name: string; namespace: string }) => `${s.name}.${s.namespace}.svc.cluster.local`;
const key = (s: { name: string; namespace: string }) => `${s.namespace}/${s.name}`;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`generateMesh: ${message}`);
}

export function generateMesh(options: GenerateMeshOptions): GeneratedMesh {
  const { namespaces: namespaceCount, workloads, edges } = options;
  const random = seededRandom(options.seed ?? 1);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const maxVersions = Math.min(3, Math.max(1, options.versions ?? 3));
  const failingShare = options.failingShare ?? 0.05;
  const tcpShare = options.tcpShare ?? 0.05;
  const grpcShare = options.grpcShare ?? 0.1;
  const minEdgeRate = options.minEdgeRate ?? 0.25;
  check(Number.isInteger(namespaceCount) && namespaceCount >= 1, `namespaces must be a whole number ≥ 1, not ${namespaceCount}`);
  check(Number.isInteger(workloads) && workloads >= 2, `workloads must be a whole number ≥ 2, not ${workloads}`);
  check(Number.isInteger(edges) && edges >= 1, `edges must be a whole number ≥ 1, not ${edges}`);
  check(minEdgeRate > 0, 'minEdgeRate must be above 0');

  // Services, each with 1–3 versions, until the workloads are spent.
  const versionCounts: number[] = [];
  for (let left = workloads; left > 0;) {
    const draw = random();
    const wanted = draw < 0.55 ? 1 : draw < 0.85 ? 2 : 3;
    const count = Math.min(wanted, maxVersions, left);
    versionCounts.push(count);
    left -= count;
  }
  check(versionCounts.length >= namespaceCount, `${workloads} workloads make ${versionCounts.length} services, fewer than ${namespaceCount} namespaces`);
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `mesh-${i}`);
  const entryCount = Math.max(1, Math.min(50, Math.round(versionCounts.length * 0.05)));
  const services: ServicePlan[] = versionCounts.map((count, index) => {
    // The first services are the entries (HTTP, routed from the gateway); TCP ones are databases, never callers.
    const entry = index < entryCount;
    const draw = random();
    const protocol: Protocol = entry ? 'http' : draw < tcpShare ? 'tcp' : draw < tcpShare + grpcShare ? 'grpc' : 'http';
    const versions = VERSION_NAMES.slice(0, count);
    return {
      index,
      name: `${protocol === 'tcp' ? 'db' : 'svc'}-${index}`,
      namespace: namespaces[index % namespaceCount]!,
      protocol,
      versions,
      // kube-proxy spreads TCP evenly over the pods: no VirtualService split for a database.
      weights: protocol === 'tcp' ? SPLITS[count]![0]! : pick(SPLITS[count]!),
      entry,
      outlierDetection: false,
      behaviour: versions.map(() => {
        const p50 = 5 + Math.floor(random() * 40);
        const errorRate = random() < failingShare ? round3(0.05 + random() * 0.35) : 0;
        return { p50, p99: p50 * (3 + Math.floor(random() * 4)), errorRate };
      }),
    };
  });
  for (const s of services) s.outlierDetection = s.behaviour.some((b) => b.errorRate > 0) || (s.versions.length > 1 && random() < 0.3);
  const minShare = (s: ServicePlan) => Math.min(...s.weights) / 100;
  const pairs = (from: ServicePlan, to: number | string) => from.versions.length * (typeof to === 'number' ? services[to]!.versions.length : 1);

  // Externals, each in a namespace of its own choosing.
  const externalCount = Math.max(0, options.externalHosts ?? Math.min(5, Math.max(1, Math.round(namespaceCount / 10))));
  const externals = Array.from({ length: externalCount }, (_, i) => ({
    host: EXTERNAL_NAMES[i] ?? `api-${i}.external.example.com`,
    namespace: pick(namespaces),
  }));

  // The call DAG: every service below the entries gets a caller ranked before it (so the
  // gateway reaches it), preferring its own namespace; then random forward calls up to `edges`.
  const callers = services.filter((s) => s.protocol !== 'tcp');
  const edgeList: EdgePlan[] = [];
  const seen = new Set<string>();
  let workloadEdges = 0;
  const addEdge = (from: ServicePlan, to: number | string) => {
    const id = `${from.index}>${to}`;
    if (seen.has(id)) return false;
    seen.add(id);
    const toShare = typeof to === 'number' ? minShare(services[to]!) : 1;
    edgeList.push({ from: from.index, to, required: minEdgeRate / (minShare(from) * toShare), flow: 0 });
    workloadEdges += pairs(from, to);
    return true;
  };
  const callersBefore = (index: number) => callers.filter((c) => c.index < index);
  for (const s of services.slice(entryCount)) {
    const before = callersBefore(s.index);
    const local = before.filter((c) => c.namespace === s.namespace);
    addEdge(random() < 0.6 && local.length ? pick(local) : pick(before), s.index);
  }
  for (const external of externals) addEdge(pick(callers), external.host);
  for (let attempts = 0; workloadEdges < edges && attempts < edges * 50; attempts++) {
    const from = pick(callers);
    const later = services.length - from.index - 1;
    if (later <= 0) continue;
    const to = from.index + 1 + Math.floor(random() * later);
    if (workloadEdges + pairs(from, to) > edges && attempts < edges * 40) continue; // prefer an exact count
    addEdge(from, to);
  }

  // Plaintext clients call services below the entries, whose namespaces stay PERMISSIVE.
  const plaintextTargets = services.filter((s) => !s.entry && s.protocol === 'http');
  const plaintext: (PlaintextClient & { target: ServicePlan })[] = [];
  for (let i = 0; i < Math.min(options.plaintextClients ?? 3, plaintextTargets.length); i++) {
    const target = pick(plaintextTargets);
    if (plaintext.some((p) => p.target === target)) continue;
    plaintext.push({ service: key(target), path: '/legacy/export', rate: round3(minEdgeRate / minShare(target)), target });
  }

  // Rates: in reverse DAG order, each service must receive at least its largest outgoing
  // call's rate (a call's probability is its rate over the caller's); callers make up a deficit.
  const outgoing = new Map<number, EdgePlan[]>();
  const incoming = new Map<number, EdgePlan[]>();
  for (const e of edgeList) {
    e.flow = e.required;
    outgoing.set(e.from, [...(outgoing.get(e.from) ?? []), e]);
    if (typeof e.to === 'number') incoming.set(e.to, [...(incoming.get(e.to) ?? []), e]);
  }
  const inflow = new Map<number, number>();
  const gatewayRate = new Map<number, number>();
  for (const s of [...services].reverse()) {
    const need = Math.max(minEdgeRate / minShare(s), ...(outgoing.get(s.index) ?? []).map((e) => e.flow));
    const into = incoming.get(s.index) ?? [];
    const fixed = plaintext.filter((p) => p.target === s).reduce((sum, p) => sum + p.rate, 0);
    let total = into.reduce((sum, e) => sum + e.flow, 0) + fixed;
    if (s.entry) {
      const gateway = Math.max(minEdgeRate / minShare(s), need - total);
      gatewayRate.set(s.index, gateway);
      total += gateway;
    } else if (total < need) {
      const scale = (need - fixed) / (total - fixed);
      for (const e of into) e.flow *= scale;
      total = need;
    }
    inflow.set(s.index, total);
  }

  const calls: Record<string, Call[]> = {};
  const versions: Record<string, Record<string, VersionBehaviour>> = {};
  for (const s of services) {
    versions[key(s)] = Object.fromEntries(s.versions.map((v, i) => [v, s.behaviour[i]!]));
    const out = outgoing.get(s.index);
    if (!out) continue;
    calls[key(s)] = out.map((e) => {
      const target = typeof e.to === 'number' ? services[e.to]! : undefined;
      const probability = Math.min(1, e.flow / inflow.get(s.index)!);
      return {
        service: target ? key(target) : (e.to as string),
        path: target?.protocol === 'tcp' ? '' : `/api/${target?.name ?? 'external'}`,
        ...(probability < 1 ? { probability: Number(probability.toPrecision(4)) } : {}),
      };
    });
  }
  for (const external of externals) versions[external.host] = { external: { p50: 80, p99: 400, errorRate: 0.002 } };
  const gatewayTotal = [...gatewayRate.values()].reduce((a, b) => a + b, 0);
  const scenario: Scenario = {
    rate: Math.ceil(gatewayTotal), // whole, as the sandbox prints it; the paths share it by weight
    gateway: { host: GENERATED_GATEWAY.host, name: `${GENERATED_GATEWAY.namespace}/${GENERATED_GATEWAY.name}` },
    users: 1000,
    tiers: { standard: 1 },
    countries: { US: 1 },
    verifiedUsers: 0,
    plaintextRate: 0,
    plaintextClients: plaintext.map(({ service, path, rate }) => ({ service, path, rate })),
    headers: {},
    paths: Object.fromEntries([...gatewayRate].map(([index, rate]) => [`/${services[index]!.namespace}/${services[index]!.name}`, round3(rate)])),
    calls,
    rateLimitKey: 'user',
    traceSampling: 0.1,
    versions,
    userTierLabel: false,
    requestSizeMetrics: false,
  };

  const objects = meshObjects(services, externals, new Set(plaintext.map((p) => p.target.namespace)), namespaces);
  const requestsPerSecond = gatewayTotal + plaintext.reduce((sum, p) => sum + p.rate, 0) + edgeList.reduce((sum, e) => sum + e.flow, 0);
  return {
    objects,
    scenario,
    summary: {
      namespaces: namespaceCount,
      services: services.length,
      workloads,
      edges: workloadEdges,
      serviceCalls: edgeList.length,
      entryServices: entryCount,
      externalHosts: externals.length,
      tcpServices: services.filter((s) => s.protocol === 'tcp').length,
      grpcServices: services.filter((s) => s.protocol === 'grpc').length,
      plaintextClients: plaintext.length,
      requestsPerSecond: Math.round(requestsPerSecond),
    },
  };
}

/**
 * Istio's histograms with 11 buckets instead of 19 (Istio's annotation): a third fewer series
 * at this scale; they span the generated latencies, and none past 10 s is ever reached.
 */
const HISTOGRAM_BUCKETS = JSON.stringify({ istiocustom: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] });

const PORTS: Record<Protocol, { name: string; port: number; appProtocol: string }> = {
  http: { name: 'http', port: 8080, appProtocol: 'http' },
  grpc: { name: 'grpc', port: 9090, appProtocol: 'grpc' },
  tcp: { name: 'tcp-postgres', port: 5432, appProtocol: 'tcp' },
};

/** The Kubernetes and Istio objects of the plan, as the seed writes them. */
function meshObjects(services: ServicePlan[], externals: { host: string; namespace: string }[], permissive: Set<string>, namespaces: string[]): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const name of namespaces) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio-injection': 'enabled' } } });
    objects.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: name },
      spec: { mtls: { mode: permissive.has(name) ? 'PERMISSIVE' : 'STRICT' } },
    });
  }
  objects.push({
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: GENERATED_GATEWAY.name, namespace: GENERATED_GATEWAY.namespace },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [GENERATED_GATEWAY.host] }],
    },
  });
  for (const s of services) {
    const port = PORTS[s.protocol];
    const metadata = { name: s.name, namespace: s.namespace, labels: { app: s.name } };
    objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata });
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...metadata, labels: { app: s.name, service: s.name } },
      spec: { selector: { app: s.name }, ports: [{ ...port, targetPort: port.port }] },
    });
    for (const version of s.versions) {
      const labels = { app: s.name, version };
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${s.name}-${version}`, namespace: s.namespace, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels, annotations: { 'sidecar.istio.io/inject': 'true', 'sidecar.istio.io/statsHistogramBuckets': HISTOGRAM_BUCKETS } },
            spec: {
              serviceAccountName: s.name,
              containers: [
                {
                  name: s.name,
                  image: `registry.example/${s.name}:1.${s.index % 10}.0`,
                  ports: [{ name: port.name, containerPort: port.port }],
                  env: [{ name: 'DEPLOYMENT_VERSION', value: version }],
                  resources: { requests: { cpu: '50m', memory: '64Mi' } },
                },
              ],
            },
          },
        },
      });
    }
    const split = s.versions.map((version, i) => ({ destination: { host: fqdn(s), subset: version }, weight: s.weights[i]! }));
    if (s.versions.length > 1 && s.protocol !== 'tcp') {
      objects.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: s.name, namespace: s.namespace },
        spec: { hosts: [s.name], http: [{ name: 'split', route: split }] },
      });
    }
    if (s.versions.length > 1 || s.outlierDetection) {
      objects.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: s.name, namespace: s.namespace },
        spec: {
          host: s.name,
          ...(s.outlierDetection
            ? { trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 } } }
            : {}),
          ...(s.versions.length > 1 ? { subsets: s.versions.map((version) => ({ name: version, labels: { version } })) } : {}),
        },
      });
    }
    if (s.entry) {
      // The gateway's route carries the split itself: a mesh VirtualService does not apply at a gateway.
      objects.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: `${s.name}-ingress`, namespace: s.namespace },
        spec: {
          hosts: [GENERATED_GATEWAY.host],
          gateways: [`${GENERATED_GATEWAY.namespace}/${GENERATED_GATEWAY.name}`],
          http: [
            {
              name: s.name,
              match: [{ uri: { prefix: `/${s.namespace}/${s.name}/` } }],
              route: s.versions.length > 1 ? split : [{ destination: { host: fqdn(s), port: { number: PORTS[s.protocol].port } } }],
            },
          ],
        },
      });
    }
  }
  for (const external of externals) {
    objects.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: external.host.replace(/\./g, '-'), namespace: external.namespace },
      spec: {
        hosts: [external.host],
        location: 'MESH_EXTERNAL',
        resolution: 'DNS',
        ports: [
          { number: 80, name: 'http', protocol: 'HTTP' },
          { number: 443, name: 'https', protocol: 'HTTPS' },
        ],
      },
    });
  }
  return objects;
}

/** A generated mesh on disk: `manifests` for the sandbox's --manifests, `scenarioFile` for --scenario. */
export type WrittenMesh = GeneratedMesh & { manifests: string; scenarioFile: string };

/**
 * Writes `dir/mesh.yaml` (the objects, one JSON document each, which the sandbox loads fast with
 * `--manifests dir`) and `dir/scenario.yaml` (for `--scenario`).
 */
export function writeGeneratedMesh(dir: string, options: GenerateMeshOptions): WrittenMesh {
  const mesh = generateMesh(options);
  mkdirSync(dir, { recursive: true });
  const scenarioFile = join(dir, 'scenario.yaml');
  writeFileSync(join(dir, 'mesh.yaml'), mesh.objects.map((o) => JSON.stringify(o)).join('\n---\n'));
  writeFileSync(scenarioFile, JSON.stringify(mesh.scenario));
  return { ...mesh, manifests: dir, scenarioFile };
}

/** Parses `workloads=1000,namespaces=50,edges=3000,seed=1` (the sandbox's --generate-mesh value). */
export function parseMeshSpec(spec: string): GenerateMeshOptions {
  const known = [
    'namespaces',
    'workloads',
    'edges',
    'seed',
    'versions',
    'failingShare',
    'externalHosts',
    'tcpShare',
    'grpcShare',
    'plaintextClients',
    'minEdgeRate',
  ];
  const values: Record<string, number> = {};
  for (const part of spec.split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    if (!name || !known.includes(name)) throw new Error(`--generate-mesh: unknown setting "${name}" (known: ${known.join(', ')})`);
    const number = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(number)) throw new Error(`--generate-mesh: ${name} needs a number, not "${value ?? ''}"`);
    values[name] = number;
  }
  return { namespaces: 50, workloads: 1000, edges: 3000, seed: 1, ...values };
}
