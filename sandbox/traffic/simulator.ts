// Simulated workload for the sandbox mesh. Requests from a synthetic user population enter
// through the ingress gateway (and plaintext clients outside the mesh), are routed by the
// live VirtualServices, shaped by the DestinationRules' traffic policies, PeerAuthentication
// and the local rate limits, and leave Istio's standard metrics and Jaeger spans behind:
// HTTP and gRPC calls as istio_requests_*, TCP ports as istio_tcp_*, and calls to
// ServiceEntry hosts (no sidecar there) reported by the caller only.
import { randomBytes } from 'node:crypto';
import type { ResourceRegistry, ResourceType } from '../api/resources.ts';
import type { KubeObject, Store } from '../api/store.ts';
import { DURATION_BUCKETS, Metrics, renderLabels, SIZE_BUCKETS } from './metrics.ts';
import {
  canonicalHost,
  durationMs,
  pickDestination,
  selectRoute,
  shortHost,
  virtualServiceApplies,
  type Destination,
  type HTTPRoute,
  type RequestInfo,
  type VirtualServiceSpec,
} from './routing.ts';
import { phaseTimeline, type PlaintextClient, type Scenario, type VersionBehaviour } from './scenario.ts';
import { TraceStore, type Span, type Tag } from './traces.ts';

/** The seed's entry point, for scenarios that name no gateway. */
const SEED_GATEWAY = { host: 'api.ai-nutritionist.com', name: 'ai-nutritionist/ai-nutritionist-gateway' };
/** The seed's legacy client outside the mesh, which `plaintextRate` drives. */
const SEED_PLAINTEXT = { service: 'ai-nutritionist/nutrition-service', path: '/api/v1/nutrition/legacy-export' };
const DEFAULT_BEHAVIOUR: VersionBehaviour = { p50: 30, p99: 150, errorRate: 0 };
const TRUST_DOMAIN = 'cluster.local';
/** Istio's cluster label for a single-cluster mesh without a configured cluster name. */
const CLUSTER_ID = 'Kubernetes';
const spiffe = (namespace: string, serviceAccount: string) => `spiffe://${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount}`;

export type Protocol = 'http' | 'grpc' | 'tcp';

/** A proxy's histogram buckets, Istio's defaults unless its pod's annotation sets others. */
interface HistogramBuckets {
  duration: number[];
  requestBytes: number[];
  responseBytes: number[];
}
const DEFAULT_BUCKETS: HistogramBuckets = { duration: DURATION_BUCKETS, requestBytes: SIZE_BUCKETS, responseBytes: SIZE_BUCKETS };
const BUCKETS_ANNOTATION = 'sidecar.istio.io/statsHistogramBuckets';

/**
 * The buckets `sidecar.istio.io/statsHistogramBuckets` gives a pod's proxy: JSON keyed by stat
 * prefix ({"istiocustom":[1,5,10]} for every Istio histogram), the longest matching prefix winning.
 */
export function histogramBuckets(annotation: string | undefined): HistogramBuckets {
  if (!annotation) return DEFAULT_BUCKETS;
  let prefixes: Record<string, number[]>;
  try {
    prefixes = JSON.parse(annotation) as Record<string, number[]>;
  } catch {
    return DEFAULT_BUCKETS; // Istio's injector rejects it; the proxy keeps its defaults
  }
  const lookup = (metric: string, fallback: number[]) => {
    const stat = `istiocustom.${metric}`;
    const key = Object.keys(prefixes)
      .filter((k) => stat.startsWith(k) && Array.isArray(prefixes[k]))
      .sort((a, b) => b.length - a.length)[0];
    return key ? [...prefixes[key]!].sort((a, b) => a - b) : fallback;
  };
  return {
    duration: lookup('istio_request_duration_milliseconds', DURATION_BUCKETS),
    requestBytes: lookup('istio_request_bytes', SIZE_BUCKETS),
    responseBytes: lookup('istio_response_bytes', SIZE_BUCKETS),
  };
}

/** A workload as Istio's metrics name it (one side of a request). */
interface Peer {
  workload: string;
  namespace: string;
  app: string;
  version: string;
  canonicalService: string;
  canonicalRevision: string;
  principal: string; // the identity its certificate carries (shown only on mutual TLS)
  cluster: string;
  buckets: HistogramBuckets; // of its proxy, when it reports
}

interface Caller extends Peer {
  mtls: boolean; // a sidecar-equipped caller presents a mesh certificate
}

const GATEWAY: Caller = {
  workload: 'istio-ingressgateway',
  namespace: 'istio-system',
  app: 'istio-ingressgateway',
  version: 'unknown',
  canonicalService: 'istio-ingressgateway',
  canonicalRevision: 'latest',
  principal: spiffe('istio-system', 'istio-ingressgateway-service-account'),
  cluster: CLUSTER_ID,
  buckets: DEFAULT_BUCKETS,
  mtls: true,
};
const UNKNOWN_PEER: Peer = {
  workload: 'unknown',
  namespace: 'unknown',
  app: 'unknown',
  version: 'unknown',
  canonicalService: 'unknown',
  canonicalRevision: 'unknown',
  principal: 'unknown',
  cluster: 'unknown',
  buckets: DEFAULT_BUCKETS,
};
/** A client outside the mesh: no sidecar, so Istio knows nothing about it. */
const OUTSIDE_CALLER: Caller = { ...UNKNOWN_PEER, mtls: false };

interface TrafficPolicy {
  loadBalancer?: { simple?: string; consistentHash?: { httpHeaderName?: string; useSourceIp?: boolean; httpCookie?: { name: string } } };
  connectionPool?: { tcp?: { maxConnections?: number }; http?: { http1MaxPendingRequests?: number; http2MaxRequests?: number; maxRetries?: number } };
  outlierDetection?: {
    consecutive5xxErrors?: number;
    consecutiveGatewayErrors?: number;
    interval?: string;
    baseEjectionTime?: string;
    maxEjectionPercent?: number;
    minHealthPercent?: number;
  };
  tls?: { mode?: string };
}

interface DestinationRuleSpec {
  host: string;
  trafficPolicy?: TrafficPolicy;
  subsets?: { name: string; labels?: Record<string, string>; trafficPolicy?: TrafficPolicy }[];
}

interface Endpoint {
  pod: string;
  ip: string;
  peer: Peer;
  version: string;
  workload: string;
  labels: Record<string, string> | undefined;
  sidecar: boolean;
  consecutive5xx: number;
  consecutiveGateway: number;
  ejectedUntil: number;
  ejections: number;
}

interface Cluster {
  name: string; // Envoy's cluster name: outbound|8080|subset|host
  host: string; // the destination_service label: a cluster-local FQDN or a ServiceEntry host
  service: string; // destination_service_name
  namespace: string; // destination_service_namespace
  protocol: Protocol;
  external: boolean; // a MESH_EXTERNAL ServiceEntry host: no sidecar reports there
  endpoints: Endpoint[];
  policy: TrafficPolicy;
  inflight: number[]; // end times of requests in flight
  next: number; // round-robin cursor
  ejectionsTotal: number;
  overflows: number;
  retries: number;
  timeouts: number;
}

interface RateLimit {
  namespace: string;
  selector?: Record<string, string>;
  key: string;
  maxTokens: number;
  tokensPerFill: number;
  fillMs: number;
}

interface Outcome {
  status: number;
  flags: string;
  duration: number;
  version: string;
  workload: string;
  endpoint?: Endpoint;
}

interface ServiceInfo {
  name: string;
  namespace: string;
  selector: Record<string, string>;
  port: number;
  protocol: Protocol;
}

interface ExternalHost {
  host: string;
  namespace: string;
  port: number;
  protocol: Protocol;
}

interface VirtualServiceEntry {
  index: number; // creation order
  namespace: string;
  name: string;
  spec: VirtualServiceSpec;
}

/** The routes that apply to one (host, gateway): each with the namespace its VirtualService lives in. */
interface RouteTable {
  matched: boolean; // some VirtualService applies
  routes: HTTPRoute[];
  namespaces: string[];
}

/** The mesh's configuration and workloads, indexed so that a request costs no scan of the store. */
interface Model {
  virtualServices: VirtualServiceEntry[];
  virtualServicesByHost: Map<string, VirtualServiceEntry[]>;
  wildcardVirtualServices: VirtualServiceEntry[];
  routeTables: Map<string, RouteTable>;
  clusters: Map<string, Cluster>;
  services: Map<string, ServiceInfo>;
  externals: Map<string, ExternalHost>;
  destinationRules: Map<string, DestinationRuleSpec>; // by canonical host
  destinationRulesByShortName: Map<string, DestinationRuleSpec>; // "namespace/name", for hosts written short
  pods: Map<string, KubeObject>; // "namespace/name"
  podsByNamespace: Map<string, KubeObject[]>;
  peerAuthentications: Map<string, KubeObject[]>; // by namespace
  mtlsModes: Map<string, string>; // "namespace/pod"
  rateLimits: Map<string, RateLimit[]>; // by namespace
  sampling: number;
}

const matchesLabels = (labels: Record<string, string> | undefined, selector: Record<string, string> | undefined) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** Istio's protocol selection for a port: appProtocol, else the name's prefix ("grpc-web", "tcp-db"); unknown ones are sniffed as HTTP. */
export function portProtocol(port: { name?: string; appProtocol?: string; protocol?: string } | undefined): Protocol {
  const declared = (port?.appProtocol ?? port?.name?.split('-')[0] ?? '').toLowerCase();
  if (declared === 'grpc' || declared === 'grpc-web' || declared.startsWith('grpc')) return 'grpc';
  if (['tcp', 'tls', 'https', 'mongo', 'mysql', 'redis'].includes(declared)) return 'tcp';
  return 'http';
}

/** Istio's canonical service and revision of a pod: its canonical labels, else app/version, else the workload's name / "latest". */
export function canonicalNames(labels: Record<string, string> | undefined, workload: string): { service: string; revision: string } {
  return {
    service: labels?.['service.istio.io/canonical-name'] ?? labels?.['app.kubernetes.io/name'] ?? labels?.app ?? workload,
    revision: labels?.['service.istio.io/canonical-revision'] ?? labels?.['app.kubernetes.io/version'] ?? labels?.version ?? 'latest',
  };
}

/** The host a scenario call names: "svc" (the caller's namespace), "namespace/svc", or a host as written. */
export function callHost(service: string, callerNamespace: string): string {
  const slash = service.indexOf('/');
  if (slash > 0) return `${service.slice(slash + 1)}.${service.slice(0, slash)}.svc.cluster.local`;
  if (!service.includes('.')) return `${service}.${callerNamespace}.svc.cluster.local`;
  return service;
}

export interface SimulatorOptions {
  store: Store;
  registry: ResourceRegistry;
  scenario: Scenario;
  tickMs?: number;
  random?: () => number;
}

export class TrafficSimulator {
  readonly metrics = new Metrics();
  readonly traces = new TraceStore();
  private scenario: Scenario;
  private readonly store: Store;
  private readonly types: Record<string, ResourceType>;
  private model: Model | undefined;
  private readonly random: () => number;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private carry = 0;
  private readonly plaintextCarry = new Map<PlaintextClient, number>();
  private lastTick = Date.now();
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private readonly activeUsers = new Map<string, number>();
  private unsubscribers: (() => void)[] = [];
  /** When the scenario was loaded, and its timed phases still to come (the next one first). */
  private loadedAt = Date.now();
  private pendingPhases: { at: number; scenario: Scenario }[] = [];
  /** Phases of the loaded scenario in effect so far (0: none yet). */
  phasesApplied = 0;
  requests = 0;

  constructor(options: SimulatorOptions) {
    this.store = options.store;
    this.scenario = options.scenario;
    this.pendingPhases = phaseTimeline(options.scenario);
    this.random = options.random ?? Math.random;
    this.tickMs = options.tickMs ?? 50;
    const t = (group: string, version: string, plural: string) => options.registry.byPath(group, version, plural)!;
    this.types = {
      vs: t('networking.istio.io', 'v1', 'virtualservices'),
      dr: t('networking.istio.io', 'v1', 'destinationrules'),
      se: t('networking.istio.io', 'v1', 'serviceentries'),
      ef: t('networking.istio.io', 'v1alpha3', 'envoyfilters'),
      pa: t('security.istio.io', 'v1', 'peerauthentications'),
      tel: t('telemetry.istio.io', 'v1', 'telemetries'),
      svc: t('', 'v1', 'services'),
      pod: t('', 'v1', 'pods'),
    };
    // Any change to the mesh's configuration or workloads rebuilds the model before the next request.
    for (const type of Object.values(this.types)) {
      this.unsubscribers.push(this.store.watch({ key: `${type.group}/${type.plural}`, namespace: undefined, deliver: () => (this.model = undefined) }));
    }
    // Gauges are read when Prometheus scrapes, not on every tick.
    this.metrics.onCollect(() => this.updateGauges(this.lastTick));
  }

  /** Switches the workload; its phases count from `now`. */
  setScenario(scenario: Scenario, now = Date.now()): void {
    this.scenario = scenario;
    this.plaintextCarry.clear();
    this.loadedAt = now;
    this.pendingPhases = phaseTimeline(scenario);
    this.phasesApplied = 0;
  }

  /** When the loaded scenario's next phase begins (epoch ms), if it has one still to come. */
  nextPhaseAt(): number | undefined {
    const next = this.pendingPhases[0];
    return next && this.loadedAt + next.at;
  }

  // Checked once per tick, never per request (the bench measures a request's cost).
  private enterDuePhases(now: number): void {
    while (this.pendingPhases.length > 0 && now >= this.loadedAt + this.pendingPhases[0]!.at) {
      const { scenario } = this.pendingPhases.shift()!;
      // The trace sampling is part of the model; nothing else a phase changes is.
      if (scenario.traceSampling !== this.scenario.traceSampling) this.model = undefined;
      this.scenario = scenario;
      this.phasesApplied++;
    }
  }

  start(): void {
    this.lastTick = Date.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const off of this.unsubscribers) off();
  }

  /** Generates the requests due since the last tick. */
  tick(now = Date.now()): void {
    if (this.pendingPhases.length > 0) this.enterDuePhases(now);
    const elapsed = (now - this.lastTick) / 1000;
    this.lastTick = now;
    this.carry += this.scenario.rate * elapsed;
    for (; this.carry >= 1; this.carry--) this.gatewayRequest(now);
    for (const client of this.plaintextClients()) {
      let carry = (this.plaintextCarry.get(client) ?? 0) + client.rate * elapsed;
      for (; carry >= 1; carry--) this.plaintextRequest(client, now);
      this.plaintextCarry.set(client, carry);
    }
  }

  // The seed's legacy client as one lasting object, so that its carry survives from tick to tick.
  private seedPlaintext: { rate: number; clients: PlaintextClient[] } | undefined;
  private plaintextClients(): PlaintextClient[] {
    if (this.scenario.plaintextClients) return this.scenario.plaintextClients;
    const rate = this.scenario.plaintextRate ?? 0;
    if (this.seedPlaintext?.rate !== rate) this.seedPlaintext = { rate, clients: rate > 0 ? [{ ...SEED_PLAINTEXT, rate }] : [] };
    return this.seedPlaintext.clients;
  }

  private getModel(): Model {
    if (this.model) return this.model;
    const previous = this.lastModel?.clusters;
    const byCreation = (a: KubeObject, b: KubeObject) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name);
    const services = new Map<string, ServiceInfo>();
    for (const svc of this.store.list(this.types.svc!)) {
      const spec = svc.spec as { selector?: Record<string, string>; ports?: { name?: string; port?: number; appProtocol?: string }[] } | undefined;
      services.set(`${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`, {
        name: svc.metadata.name,
        namespace: svc.metadata.namespace!,
        selector: spec?.selector ?? {},
        port: spec?.ports?.[0]?.port ?? 8080,
        protocol: portProtocol(spec?.ports?.[0]),
      });
    }
    const externals = new Map<string, ExternalHost>();
    for (const entry of this.store.list(this.types.se!).sort(byCreation)) {
      const spec = entry.spec as { hosts?: string[]; location?: string; ports?: { number?: number; name?: string; protocol?: string }[] } | undefined;
      if (spec?.location === 'MESH_INTERNAL') continue;
      const port = spec?.ports?.[0];
      for (const host of spec?.hosts ?? []) {
        if (externals.has(host)) continue;
        externals.set(host, {
          host,
          namespace: entry.metadata.namespace!,
          port: port?.number ?? 443,
          protocol: portProtocol({ name: port?.name, appProtocol: port?.protocol?.toLowerCase() }),
        });
      }
    }
    const virtualServices = this.store
      .list(this.types.vs!)
      .sort(byCreation)
      .map((vs, index) => ({ index, namespace: vs.metadata.namespace!, name: vs.metadata.name, spec: (vs.spec ?? {}) as VirtualServiceSpec }));
    const virtualServicesByHost = new Map<string, VirtualServiceEntry[]>();
    const wildcardVirtualServices: VirtualServiceEntry[] = [];
    for (const vs of virtualServices) {
      const hosts = new Set((vs.spec.hosts ?? []).map((h) => (h.startsWith('*') ? '*' : canonicalHost(h, vs.namespace))));
      for (const host of hosts) {
        if (host === '*') wildcardVirtualServices.push(vs);
        else push(virtualServicesByHost, host, vs);
      }
    }
    const destinationRules = new Map<string, DestinationRuleSpec>();
    const destinationRulesByShortName = new Map<string, DestinationRuleSpec>();
    for (const dr of this.store.list(this.types.dr!)) {
      const spec = dr.spec as DestinationRuleSpec;
      const host = canonicalHost(spec.host, dr.metadata.namespace!);
      if (!destinationRules.has(host)) destinationRules.set(host, spec);
      const short = `${dr.metadata.namespace}/${shortHost(spec.host)}`;
      if (!destinationRulesByShortName.has(short)) destinationRulesByShortName.set(short, spec);
    }
    const pods = new Map<string, KubeObject>();
    const podsByNamespace = new Map<string, KubeObject[]>();
    for (const pod of this.store.list(this.types.pod!)) {
      pods.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod);
      push(podsByNamespace, pod.metadata.namespace!, pod);
    }
    const peerAuthentications = new Map<string, KubeObject[]>();
    for (const pa of this.store.list(this.types.pa!)) push(peerAuthentications, pa.metadata.namespace!, pa);
    const rateLimits = new Map<string, RateLimit[]>();
    for (const limit of this.store.list(this.types.ef!).flatMap(parseRateLimit)) push(rateLimits, limit.namespace, limit);
    const telemetry = this.store.list(this.types.tel!).flatMap((t) => (t.spec as { tracing?: { randomSamplingPercentage?: number }[] })?.tracing ?? []);
    const model: Model = {
      virtualServices,
      virtualServicesByHost,
      wildcardVirtualServices,
      routeTables: new Map(),
      clusters: new Map(),
      services,
      externals,
      destinationRules,
      destinationRulesByShortName,
      pods,
      podsByNamespace,
      peerAuthentications,
      mtlsModes: new Map(),
      rateLimits,
      sampling: this.scenario.traceSampling ?? telemetry.find((t) => t.randomSamplingPercentage !== undefined)?.randomSamplingPercentage ?? 1,
    };
    // Keep each cluster's live state (ejections, in-flight requests) across rebuilds.
    for (const [name, cluster] of previous ?? []) model.clusters.set(name, cluster);
    this.lastModel = model;
    this.model = model;
    this.clusterPolicyCache.clear();
    return model;
  }
  private lastModel: Model | undefined;
  private readonly clusterPolicyCache = new Set<string>();

  private destinationRule(host: string): DestinationRuleSpec | undefined {
    const model = this.getModel();
    const [name, namespace] = host.split('.');
    return model.destinationRules.get(host) ?? model.destinationRulesByShortName.get(`${namespace}/${name}`);
  }

  /**
   * The VirtualServices' routes for a request. At a gateway Istio merges the routes of every
   * VirtualService for the host, in creation order; in the mesh the first one wins.
   */
  private routeTable(request: RequestInfo, namespace: string): RouteTable {
    const model = this.getModel();
    const key = `${request.gateway ?? 'mesh'}|${namespace}|${request.host}`;
    let table = model.routeTables.get(key);
    if (table) return table;
    // Short hosts resolve against each VirtualService's namespace, so only they need every VirtualService.
    const candidates = request.host.includes('.')
      ? [...(model.virtualServicesByHost.get(canonicalHost(request.host, namespace)) ?? []), ...model.wildcardVirtualServices]
      : model.virtualServices;
    const applicable = [...new Set(candidates)].filter((vs) => virtualServiceApplies(vs.spec, vs.namespace, request)).sort((a, b) => a.index - b.index);
    const chosen = request.gateway ? applicable : applicable.slice(0, 1);
    const routes: HTTPRoute[] = [];
    const namespaces: string[] = [];
    for (const vs of chosen) {
      for (const route of vs.spec.http ?? []) {
        routes.push(route);
        namespaces.push(vs.namespace);
      }
    }
    table = { matched: applicable.length > 0, routes, namespaces };
    model.routeTables.set(key, table);
    return table;
  }

  /** The cluster (endpoints and policy) for a destination, refreshed from the current model. */
  private cluster(destination: Destination, namespace: string): Cluster | undefined {
    const model = this.getModel();
    const bare = destination.host.split(':')[0]!;
    const external = model.externals.get(bare);
    const host = external ? bare : canonicalHost(destination.host, namespace);
    const service = external ? undefined : model.services.get(host);
    if (!service && !external) return undefined;
    const name = `outbound|${destination.port?.number ?? service?.port ?? external!.port}|${destination.subset ?? ''}|${host}`;
    let cluster = model.clusters.get(name);
    if (cluster && this.clusterPolicyCache.has(name)) return cluster;
    const rule = this.destinationRule(host);
    const subset = destination.subset ? rule?.subsets?.find((s) => s.name === destination.subset) : undefined;
    if (destination.subset && !subset) return undefined; // NR: the subset does not exist
    const policy: TrafficPolicy = { ...rule?.trafficPolicy, ...subset?.trafficPolicy };
    const pods = service
      ? (model.podsByNamespace.get(service.namespace) ?? []).filter(
          (p) => matchesLabels(p.metadata.labels, service.selector) && matchesLabels(p.metadata.labels, subset?.labels),
        )
      : [];
    const known = new Map((cluster?.endpoints ?? []).map((e) => [e.pod, e]));
    const endpoints = pods.map((p) => known.get(p.metadata.name) ?? newEndpoint(p));
    cluster = cluster
      ? Object.assign(cluster, { endpoints, policy })
      : {
          name,
          host,
          service: service?.name ?? host,
          namespace: service?.namespace ?? external!.namespace,
          protocol: service?.protocol ?? external!.protocol,
          external: !service,
          endpoints,
          policy,
          inflight: [],
          next: 0,
          ejectionsTotal: 0,
          overflows: 0,
          retries: 0,
          timeouts: 0,
        };
    model.clusters.set(name, cluster);
    this.clusterPolicyCache.add(name);
    return cluster;
  }

  private mtlsMode(namespace: string, pod: string, labels: Record<string, string> | undefined): string {
    const model = this.getModel();
    const key = `${namespace}/${pod}`;
    const cached = model.mtlsModes.get(key);
    if (cached) return cached;
    const mode = (pa: KubeObject | undefined) => {
      const spec = pa?.spec as { mtls?: { mode?: string }; portLevelMtls?: Record<string, { mode?: string }> } | undefined;
      return spec?.portLevelMtls?.['8080']?.mode ?? spec?.mtls?.mode;
    };
    const selector = (p: KubeObject) => (p.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector;
    const local = model.peerAuthentications.get(namespace) ?? [];
    const workload = local.find((p) => selector(p)?.matchLabels && matchesLabels(labels, selector(p)!.matchLabels));
    const ns = local.find((p) => !selector(p));
    const mesh = (model.peerAuthentications.get('istio-system') ?? []).find((p) => !selector(p));
    let result = 'PERMISSIVE';
    for (const candidate of [mode(workload), mode(ns), mode(mesh)])
      if (candidate && candidate !== 'UNSET') {
        result = candidate;
        break;
      }
    model.mtlsModes.set(key, result);
    return result;
  }

  private user(): { id: string; tier: string; country: string; verified: boolean } {
    const n = Math.floor(this.random() * this.scenario.users);
    // Deterministic per user, so a user keeps their tier and country.
    const h = ((n * 2654435761) >>> 0) / 4294967296;
    return {
      id: `user-${n}`,
      tier: weighted(this.scenario.tiers, h),
      country: weighted(this.scenario.countries, (h * 7919) % 1),
      verified: (h * 104729) % 1 < this.scenario.verifiedUsers,
    };
  }

  private gatewayRequest(now: number): void {
    const user = this.user();
    this.activeUsers.set(user.id, now);
    const share = (key: string) => this.random() < (this.scenario.headers[key] ?? 0);
    const path = weighted(this.scenario.paths, this.random());
    const headers: Record<string, string> = {
      'x-request-id': crypto.randomUUID(),
      'x-user-id': user.id,
      'x-user-tier': user.tier,
      'cloudfront-viewer-country': user.country,
    };
    if (user.verified) headers['x-user-verified'] = 'true';
    if (user.tier === 'beta' && share('canaryOptIn')) headers['x-canary-enabled'] = 'true';
    if (share('abTest')) headers['x-ab-test'] = 'nutrition-algorithm';
    if (user.tier === 'premium' && share('premiumFeatureTest')) headers['x-premium-feature-test'] = 'enabled';
    if (share('blueGreenTesting')) Object.assign(headers, { 'x-deployment-target': 'green', 'x-testing-mode': 'enabled' });
    if (share('newProviderFlag')) headers['x-feature-flag-new-provider'] = 'enabled';
    if (share('enhancedMessagingFlag')) headers['x-feature-flag-enhanced-messaging'] = 'enabled';
    if (share('loadTest')) Object.assign(headers, { 'x-load-test': 'true', 'x-test-scenario': 'stress' });
    if (share('circuitBreakerTest')) headers['x-circuit-breaker-test'] = 'enabled';
    if (share('chaosExperiment')) headers['x-chaos-experiment'] = 'enabled';
    if (user.tier === 'premium') this.metrics.inc('ai_nutritionist_premium_requests_total', { path }, 1, 'Requests from premium users at the gateway');
    this.requests++;
    const sampled = this.random() * 100 < this.getModel().sampling;
    const spans: Span[] | undefined = sampled ? [] : undefined;
    const traceId = hex(16);
    const gateway = this.scenario.gateway ?? SEED_GATEWAY;
    const request: RequestInfo = {
      host: gateway.host,
      path: `${path}/${['meals', 'plans', 'sessions', 'status'][Math.floor(this.random() * 4)]}`,
      method: path.includes('payments') ? 'POST' : 'GET',
      headers,
      gateway: gateway.name,
    };
    this.route(request, GATEWAY, gateway.name.split('/')[0]!, now, { spans, traceId, parent: undefined, user });
  }

  private plaintextRequest(client: PlaintextClient, now: number): void {
    // A client outside the mesh calls a service directly, without mTLS.
    const user = this.user();
    const host = callHost(client.service, 'default');
    const request: RequestInfo = {
      host,
      path: client.path,
      method: 'GET',
      headers: { 'x-request-id': crypto.randomUUID(), 'x-user-id': user.id, 'x-user-tier': user.tier },
    };
    this.route(request, OUTSIDE_CALLER, host.split('.')[1] ?? 'default', now, { spans: undefined, traceId: hex(16), parent: undefined, user });
  }

  /** Routes one request from `caller` and returns its outcome; a TCP destination gets a connection instead. */
  private route(
    request: RequestInfo,
    caller: Caller,
    namespace: string,
    now: number,
    trace: { spans: Span[] | undefined; traceId: string; parent: string | undefined; user: { id: string; tier: string } },
  ): Outcome {
    const model = this.getModel();
    if (!request.gateway && (model.externals.get(request.host) ?? model.services.get(canonicalHost(request.host, namespace)))?.protocol === 'tcp')
      return this.connect(request.host, caller, namespace, now);
    const table = this.routeTable(request, namespace);
    let route: HTTPRoute | undefined;
    let routeNamespace = namespace;
    if (!table.matched) {
      route = { route: [{ destination: { host: request.host.split(':')[0]! } }] };
    } else {
      const selected = selectRoute(table.routes, request);
      route = selected?.route;
      // Short destination hosts resolve in the VirtualService's namespace.
      if (selected) routeNamespace = table.namespaces[selected.index]!;
    }
    const span = this.startSpan(trace, caller, request, now);
    if (!route)
      return this.finish(span, trace, { status: 404, flags: 'NR', duration: 0, version: 'unknown', workload: 'unknown' }, caller, request, undefined, now);

    let delay = 0;
    let flags = '';
    if (route.fault?.abort && this.random() * 100 < (route.fault.abort.percentage?.value ?? 100)) {
      return this.finish(
        span,
        trace,
        { status: route.fault.abort.httpStatus ?? 503, flags: 'FI', duration: 0, version: 'unknown', workload: 'unknown' },
        caller,
        request,
        undefined,
        now,
      );
    }
    if (route.fault?.delay && this.random() * 100 < (route.fault.delay.percentage?.value ?? 100)) {
      delay = durationMs(route.fault.delay.fixedDelay) ?? 0;
      flags = 'DI';
    }
    const destination = pickDestination(route, this.random)!;
    for (const mirror of [...(route.mirror ? [{ destination: route.mirror, percentage: route.mirrorPercentage }] : []), ...(route.mirrors ?? [])]) {
      if (this.random() * 100 < (mirror.percentage?.value ?? 100))
        this.attemptAt(mirror.destination, request, caller, routeNamespace, now, { ...trace, spans: undefined });
    }
    const timeout = durationMs(route.timeout);
    const attempts = 1 + (route.retries?.attempts ?? 2);
    const perTry = durationMs(route.retries?.perTryTimeout);
    const retryOn = (route.retries?.retryOn ?? 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes').split(',');
    let elapsed = delay;
    let outcome: Outcome | undefined;
    let cluster: Cluster | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const result = this.attemptAt(destination, request, caller, routeNamespace, now + elapsed, trace, span?.spanID, perTry);
      cluster = result.cluster;
      outcome = result.outcome;
      elapsed += outcome.duration;
      if (timeout !== undefined && elapsed > timeout) {
        outcome = { ...outcome, status: 504, flags: 'UT', duration: timeout };
        elapsed = timeout;
        if (cluster) cluster.timeouts++;
        break;
      }
      if (!retryable(outcome, retryOn) || attempt === attempts - 1) break;
      if (cluster) cluster.retries++;
    }
    const final = { ...outcome!, duration: elapsed, flags: outcome!.flags || flags };
    return this.finish(span, trace, final, caller, request, cluster, now);
  }

  private attemptAt(
    destination: Destination,
    request: RequestInfo,
    caller: Caller,
    namespace: string,
    now: number,
    trace: { spans: Span[] | undefined; traceId: string; parent: string | undefined; user: { id: string; tier: string } },
    parentSpan?: string,
    perTry?: number,
  ): { outcome: Outcome; cluster: Cluster | undefined } {
    const cluster = this.cluster(destination, namespace);
    if (!cluster) return { outcome: { status: 503, flags: 'NR', duration: 0, version: 'unknown', workload: 'unknown' }, cluster };
    if (cluster.inflight.length) cluster.inflight = cluster.inflight.filter((end) => end > now);
    const pool = cluster.policy.connectionPool;
    const limit = (pool?.tcp?.maxConnections ?? 2 ** 32) + (pool?.http?.http1MaxPendingRequests ?? 2 ** 32);
    if (cluster.inflight.length >= limit) {
      cluster.overflows++;
      return { outcome: { status: 503, flags: 'UO', duration: 0, version: 'unknown', workload: 'unknown' }, cluster };
    }
    if (cluster.external) {
      // Outside the mesh: only the caller's sidecar sees the call.
      const behaviour = this.behaviour(cluster, 'external');
      const duration = sampleLatency(behaviour, this.random);
      const status = this.random() < behaviour.errorRate ? 503 : 200;
      cluster.inflight.push(now + duration);
      return { outcome: { status, flags: '', duration, version: 'unknown', workload: 'unknown' }, cluster };
    }
    const endpoint = this.pickEndpoint(cluster, request, now);
    if (!endpoint) return { outcome: { status: 503, flags: 'UH', duration: 0, version: 'unknown', workload: 'unknown' }, cluster };

    const podLabels = endpoint.labels;
    const mode = this.mtlsMode(cluster.namespace, endpoint.pod, podLabels);
    const mutual = caller.mtls && mode !== 'DISABLE';
    if (!caller.mtls && mode === 'STRICT') {
      // The server sidecar refuses the plaintext connection before any HTTP exchange.
      this.metrics.inc(
        'sandbox_plaintext_connections_refused_total',
        { destination_service_name: cluster.service, destination_workload: endpoint.workload },
        1,
        'Plaintext connections refused by STRICT mTLS',
      );
      return { outcome: { status: 503, flags: 'UC', duration: 1, version: endpoint.version, workload: endpoint.workload, endpoint }, cluster };
    }
    const security = mutual ? 'mutual_tls' : 'none';

    let outcome: Outcome;
    if (!this.takeToken(cluster.namespace, podLabels, endpoint.pod, trace.user.id, now)) {
      outcome = { status: 429, flags: 'RL', duration: 0.2, version: endpoint.version, workload: endpoint.workload, endpoint };
    } else {
      const behaviour = this.behaviour(cluster, endpoint.version);
      let duration = sampleLatency(behaviour, this.random);
      // The service does its downstream work first and may then fail on its own (an AI call after fetching the profile).
      const ownFailure = this.random() < behaviour.errorRate;
      let status = 200;
      const serverSpan = this.childSpan(
        trace,
        parentSpan,
        `${cluster.service}.${cluster.namespace}`,
        `${request.host.split(':')[0]}:8080${request.path.split('?')[0]}`,
        now,
        endpoint,
        cluster,
      );
      const calls = this.scenario.calls[`${cluster.namespace}/${cluster.service}`] ?? this.scenario.calls[cluster.service];
      if (calls?.length) {
        const self: Caller = { ...endpoint.peer, mtls: endpoint.sidecar };
        const headers = { ...request.headers, 'x-deployment-version': endpoint.version };
        for (const call of calls) {
          if (call.probability !== undefined && this.random() >= call.probability) continue;
          const downstream = this.route(
            { host: callHost(call.service, cluster.namespace), path: call.path, method: 'GET', headers },
            self,
            cluster.namespace,
            now + duration / 2,
            { ...trace, parent: serverSpan?.spanID },
          );
          duration += downstream.duration;
          if (downstream.status >= 500) status = 500;
        }
      }
      if (ownFailure) status = 503;
      if (perTry !== undefined && duration > perTry) {
        duration = perTry;
        status = 504;
        cluster.timeouts++;
      }
      outcome = { status, flags: status === 504 ? 'UT' : '', duration, version: endpoint.version, workload: endpoint.workload, endpoint };
      if (serverSpan) {
        serverSpan.duration = Math.round(duration * 1000);
        serverSpan.tags.push(tag('http.status_code', String(status)), ...(status >= 500 ? [tag('error', true)] : []));
      }
    }
    cluster.inflight.push(now + outcome.duration);
    this.updateOutlier(cluster, endpoint, outcome.status, now);
    this.recordDestination(caller, cluster, endpoint, outcome, security, mutual, request);
    return { outcome, cluster };
  }

  /** One TCP connection, opened and closed, in Istio's four TCP counters. */
  private countConnection(labels: string, received: number, sent: number): void {
    this.metrics.inc('istio_tcp_connections_opened_total', labels, 1, 'Total TCP connections opened.');
    this.metrics.inc('istio_tcp_connections_closed_total', labels, 1, 'Total TCP connections closed.');
    this.metrics.inc('istio_tcp_sent_bytes_total', labels, sent, 'Total bytes sent during response in case of a TCP connection.');
    this.metrics.inc('istio_tcp_received_bytes_total', labels, received, 'Total bytes received during request in case of a TCP connection.');
  }

  /** A version's latency and errors: "namespace/svc" first, then the seed's short "svc" (an external host: its own key). */
  private behaviour(cluster: Cluster, version: string): VersionBehaviour {
    const versions = this.scenario.versions;
    return (
      (cluster.external ? versions[cluster.host] : (versions[`${cluster.namespace}/${cluster.service}`] ?? versions[cluster.service]))?.[version] ??
      DEFAULT_BEHAVIOUR
    );
  }

  /**
   * A TCP call (a database, a queue): one connection opened, bytes both ways, closed; Istio
   * reports it with istio_tcp_* from both sidecars, and no request metrics.
   */
  private connect(host: string, caller: Caller, namespace: string, now: number): Outcome {
    const cluster = this.cluster({ host }, namespace);
    if (!cluster) return { status: 503, flags: 'NR', duration: 0, version: 'unknown', workload: 'unknown' };
    if (cluster.external) {
      // A TCP host outside the mesh: only the caller's sidecar counts the connection.
      const duration = sampleLatency(this.behaviour(cluster, 'external'), this.random);
      if (caller.mtls) this.countConnection(tcpLabels('source', caller, cluster, UNKNOWN_PEER, false, '-', 'unknown'), 500, 5000);
      return { status: 200, flags: '', duration, version: 'unknown', workload: 'unknown' };
    }
    const endpoint = this.pickEndpoint(cluster, { host, path: '', method: '', headers: {} }, now);
    if (!endpoint) return { status: 503, flags: 'UH', duration: 0, version: 'unknown', workload: 'unknown' };
    const mode = this.mtlsMode(cluster.namespace, endpoint.pod, endpoint.labels);
    const behaviour = this.behaviour(cluster, endpoint.version);
    const refused = !caller.mtls && mode === 'STRICT';
    const failed = refused || this.random() < behaviour.errorRate;
    const mutual = caller.mtls && mode !== 'DISABLE';
    const duration = failed ? 1 : sampleLatency(behaviour, this.random);
    // Istio counts what the server sent back as "sent" and the client's request as "received".
    const received = failed ? 0 : 200 + Math.floor(this.random() * 800);
    const sent = failed ? 0 : 500 + Math.floor(this.random() * 20_000);
    const flags = failed ? 'UF' : '-';
    if (caller.mtls) this.countConnection(tcpLabels('source', caller, cluster, endpoint.peer, mutual, flags, 'unknown'), received, sent);
    if (!refused) this.countConnection(tcpLabels('destination', caller, cluster, endpoint.peer, mutual, flags, mutual ? 'mutual_tls' : 'none'), received, sent);
    return { status: failed ? 503 : 200, flags: failed ? 'UF' : '', duration, version: endpoint.version, workload: endpoint.workload, endpoint };
  }

  private pickEndpoint(cluster: Cluster, request: RequestInfo, now: number): Endpoint | undefined {
    const all = cluster.endpoints;
    if (all.length === 0) return undefined;
    for (const e of all) if (e.ejectedUntil && e.ejectedUntil <= now) e.ejectedUntil = 0;
    const healthy = all.filter((e) => !e.ejectedUntil);
    // Envoy's panic threshold: under 50% healthy, traffic goes to every host.
    const pool = healthy.length * 2 < all.length || healthy.length === 0 ? all : healthy;
    const lb = cluster.policy.loadBalancer;
    const hashHeader = lb?.consistentHash?.httpHeaderName;
    if (hashHeader) {
      const value = request.headers[hashHeader.toLowerCase()] ?? '';
      let h = 0;
      for (const ch of value) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
      return pool[h % pool.length];
    }
    switch (lb?.simple) {
      case 'RANDOM':
        return pool[Math.floor(this.random() * pool.length)];
      case 'LEAST_CONN':
      case 'LEAST_REQUEST': {
        const a = pool[Math.floor(this.random() * pool.length)]!;
        const b = pool[Math.floor(this.random() * pool.length)]!;
        return a.consecutive5xx <= b.consecutive5xx ? a : b;
      }
      default:
        return pool[cluster.next++ % pool.length];
    }
  }

  private updateOutlier(cluster: Cluster, endpoint: Endpoint, status: number, now: number): void {
    const od = cluster.policy.outlierDetection;
    if (status >= 500) endpoint.consecutive5xx++;
    else endpoint.consecutive5xx = 0;
    if (status >= 502 && status <= 504) endpoint.consecutiveGateway++;
    else endpoint.consecutiveGateway = 0;
    if (!od || endpoint.ejectedUntil) return;
    const tripped =
      (od.consecutive5xxErrors !== undefined && endpoint.consecutive5xx >= od.consecutive5xxErrors) ||
      (od.consecutiveGatewayErrors !== undefined && endpoint.consecutiveGateway >= od.consecutiveGatewayErrors);
    if (!tripped) return;
    const active = cluster.endpoints.filter((e) => e.ejectedUntil > now).length;
    const max = od.maxEjectionPercent ?? 10;
    // Envoy ejects at least one host whatever the percentage, and never past it otherwise.
    if (active > 0 && (100 * (active + 1)) / cluster.endpoints.length > max) return;
    endpoint.ejections++;
    endpoint.ejectedUntil = now + (durationMs(od.baseEjectionTime) ?? 30_000) * endpoint.ejections;
    endpoint.consecutive5xx = 0;
    endpoint.consecutiveGateway = 0;
    cluster.ejectionsTotal++;
  }

  private takeToken(namespace: string, labels: Record<string, string> | undefined, pod: string, user: string, now: number): boolean {
    for (const limit of this.getModel().rateLimits.get(namespace) ?? []) {
      if (limit.selector && !matchesLabels(labels, limit.selector)) continue;
      const key = `${limit.key}|${this.scenario.rateLimitKey === 'sidecar' ? pod : user}`;
      let bucket = this.buckets.get(key);
      if (!bucket) this.buckets.set(key, (bucket = { tokens: limit.maxTokens, last: now }));
      const fills = Math.floor((now - bucket.last) / limit.fillMs);
      if (fills > 0) {
        bucket.tokens = Math.min(limit.maxTokens, bucket.tokens + fills * limit.tokensPerFill);
        bucket.last += fills * limit.fillMs;
      }
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
    }
    return true;
  }

  /** istio_requests_total as the seed's dashboards want it: with the caller's tier unless the scenario turns it off. */
  private countRequest(labels: string, request: RequestInfo): void {
    const tier = this.scenario.userTierLabel === false ? '' : `,user_tier="${request.headers['x-user-tier'] ?? 'unknown'}"`;
    this.metrics.inc('istio_requests_total', labels + tier, 1, 'Total requests.');
  }

  private recordDestination(
    caller: Caller,
    cluster: Cluster,
    endpoint: Endpoint,
    outcome: Outcome,
    security: string,
    mutual: boolean,
    request: RequestInfo,
  ): void {
    const labels = renderLabels(istioLabels('destination', caller, cluster, endpoint.peer, outcome, security, mutual));
    this.countRequest(labels, request);
    const buckets = endpoint.peer.buckets;
    this.metrics.observe('istio_request_duration_milliseconds', labels, outcome.duration, buckets.duration, 'Request duration in milliseconds.');
    if (this.scenario.requestSizeMetrics === false) return;
    this.metrics.observe('istio_request_bytes', labels, 400 + Math.floor(this.random() * 800), buckets.requestBytes, 'Request size in bytes.');
    this.metrics.observe(
      'istio_response_bytes',
      labels,
      outcome.status === 200 ? 1000 + Math.floor(this.random() * 9000) : 90,
      buckets.responseBytes,
      'Response size in bytes.',
    );
  }

  private finish(
    span: Span | undefined,
    trace: { spans: Span[] | undefined; parent: string | undefined },
    outcome: Outcome,
    caller: Caller,
    request: RequestInfo,
    cluster: Cluster | undefined,
    _now: number,
  ): Outcome {
    // The caller's sidecar reports the request too (reporter="source"); a client without one does not.
    if (caller.mtls && cluster) {
      // Without an endpoint (no route, no healthy host, overflow) the caller knows only the service it aimed at.
      const destination = cluster.external
        ? UNKNOWN_PEER
        : (outcome.endpoint?.peer ?? {
            ...UNKNOWN_PEER,
            workload: outcome.workload,
            namespace: cluster.namespace,
            app: cluster.service,
            version: outcome.version,
            canonicalService: cluster.service,
            cluster: CLUSTER_ID,
          });
      const mutual =
        !cluster.external && outcome.endpoint !== undefined && this.mtlsMode(cluster.namespace, outcome.endpoint.pod, outcome.endpoint.labels) !== 'DISABLE';
      // The source sidecar cannot see the server's peer authentication, so Istio reports "unknown".
      const labels = renderLabels(istioLabels('source', caller, cluster, destination, outcome, 'unknown', mutual));
      this.countRequest(labels, request);
      this.metrics.observe('istio_request_duration_milliseconds', labels, outcome.duration, caller.buckets.duration, 'Request duration in milliseconds.');
    }
    if (span) {
      span.duration = Math.max(1, Math.round(outcome.duration * 1000));
      span.tags.push(
        tag('http.status_code', String(outcome.status)),
        tag('response_flags', outcome.flags || '-'),
        ...(outcome.status >= 500 ? [tag('error', true)] : []),
      );
      if (cluster) span.tags.push(tag('upstream_cluster', cluster.name));
      if (trace.parent === undefined && trace.spans) this.traces.add(trace.spans);
    }
    return outcome;
  }

  private startSpan(
    trace: { spans: Span[] | undefined; traceId: string; parent: string | undefined; user: { id: string } },
    caller: Caller,
    request: RequestInfo,
    now: number,
  ): Span | undefined {
    if (!trace.spans) return undefined;
    const service = caller.workload === GATEWAY.workload ? `${GATEWAY.workload}.${GATEWAY.namespace}` : `${caller.app}.${caller.namespace}`;
    const span: Span = {
      traceID: trace.traceId,
      spanID: hex(8),
      parentSpanID: trace.parent,
      operationName: `${request.host.split(':')[0]}:8080${request.path.split('?')[0]}`,
      serviceName: service,
      startTime: Math.round(now * 1000),
      duration: 0,
      tags: [
        ...proxyTags(
          'client',
          caller.app,
          caller.version,
          caller.namespace,
          request.headers['x-request-id'] ?? '',
          request.headers['x-user-id'] ?? 'anonymous',
          request.headers['x-deployment-version'] ?? 'unknown',
        ),
        tag('http.method', request.method),
        tag('http.url', `http://${request.host}${request.path}`),
        tag('guid:x-request-id', request.headers['x-request-id'] ?? ''),
      ],
      processTags: [tag('hostname', caller.workload), tag('ip', '10.244.0.1')],
    };
    trace.spans.push(span);
    return span;
  }

  private childSpan(
    trace: { spans: Span[] | undefined; traceId: string; user: { id: string } },
    parent: string | undefined,
    service: string,
    operation: string,
    now: number,
    endpoint: Endpoint,
    cluster: Cluster,
  ): Span | undefined {
    if (!trace.spans) return undefined;
    const span: Span = {
      traceID: trace.traceId,
      spanID: hex(8),
      parentSpanID: parent,
      operationName: operation,
      serviceName: service,
      startTime: Math.round(now * 1000) + 200,
      duration: 0,
      tags: [
        ...proxyTags(
          'server',
          cluster.service,
          endpoint.version,
          cluster.namespace,
          String(trace.spans[0]?.tags.find((t) => t.key === 'x-request-id')?.value ?? ''),
          trace.user.id,
          endpoint.version,
        ),
        tag('node_id', `sidecar~${endpoint.ip}~${endpoint.pod}.${cluster.namespace}~${cluster.namespace}.svc.cluster.local`),
        tag('peer.address', endpoint.ip),
      ],
      processTags: [tag('hostname', endpoint.pod), tag('ip', endpoint.ip)],
    };
    trace.spans.push(span);
    return span;
  }

  private updateGauges(now: number): void {
    for (const [user, seen] of this.activeUsers) if (now - seen > 300_000) this.activeUsers.delete(user);
    this.metrics.set('ai_nutritionist_active_users', {}, this.activeUsers.size, 'Users with a request in the last 5 minutes');
    for (const cluster of this.getModel().clusters.values()) {
      const labels = { cluster_name: cluster.name };
      let ejected = 0;
      for (const e of cluster.endpoints) if (e.ejectedUntil > now) ejected++;
      this.metrics.set('envoy_cluster_outlier_detection_ejections_active', labels, ejected, 'Hosts currently ejected');
      this.metrics.set('envoy_cluster_outlier_detection_ejections_enforced_total', labels, cluster.ejectionsTotal, 'Ejections enforced');
      this.metrics.set('envoy_cluster_upstream_rq_pending_overflow', labels, cluster.overflows, 'Requests that overflowed the connection pool (UO)');
      this.metrics.set('envoy_cluster_upstream_rq_retry', labels, cluster.retries, 'Retries');
      this.metrics.set('envoy_cluster_upstream_rq_timeout', labels, cluster.timeouts, 'Requests that timed out (UT)');
      this.metrics.set('envoy_cluster_membership_total', labels, cluster.endpoints.length, 'Hosts in the cluster');
    }
  }
}

function newEndpoint(pod: KubeObject): Endpoint {
  const labels = pod.metadata.labels;
  const namespace = pod.metadata.namespace!;
  const workload = pod.metadata.ownerReferences?.[0]?.name ?? pod.metadata.name;
  const version = labels?.version ?? 'unknown';
  const canonical = canonicalNames(labels, workload);
  const serviceAccount = (pod.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? 'default';
  return {
    pod: pod.metadata.name,
    ip: (pod.status as { podIP?: string })?.podIP ?? '0.0.0.0',
    workload,
    version,
    labels,
    sidecar: labels?.['security.istio.io/tlsMode'] === 'istio',
    peer: {
      workload,
      namespace,
      app: labels?.app ?? 'unknown',
      version,
      canonicalService: canonical.service,
      canonicalRevision: canonical.revision,
      principal: spiffe(namespace, serviceAccount),
      cluster: CLUSTER_ID,
      buckets: histogramBuckets(pod.metadata.annotations?.[BUCKETS_ANNOTATION]),
    },
    consecutive5xx: 0,
    consecutiveGateway: 0,
    ejectedUntil: 0,
    ejections: 0,
  };
}

/** One side's labels: the principal only when mutual TLS proved it. */
function peerLabels(side: 'source' | 'destination', peer: Peer, mutual: boolean): [string, string][] {
  return [
    [`${side}_workload`, peer.workload],
    [`${side}_workload_namespace`, peer.namespace],
    [`${side}_principal`, mutual ? peer.principal : 'unknown'],
    [`${side}_app`, peer.app],
    [`${side}_version`, peer.version],
    [`${side}_canonical_service`, peer.canonicalService],
    [`${side}_canonical_revision`, peer.canonicalRevision],
    [`${side}_cluster`, peer.cluster],
  ];
}

const serviceLabels = (cluster: Cluster): [string, string][] => [
  ['destination_service', cluster.host],
  ['destination_service_name', cluster.service],
  ['destination_service_namespace', cluster.namespace],
];

/** Istio's standard labels of istio_requests_total and its histograms, for one reporter. */
function istioLabels(
  reporter: 'source' | 'destination',
  caller: Caller,
  cluster: Cluster,
  destination: Peer,
  outcome: Outcome,
  security: string,
  mutual: boolean,
): [string, string][] {
  const labels: [string, string][] = [
    ['reporter', reporter],
    ...peerLabels('source', caller, mutual),
    ...peerLabels('destination', destination, mutual),
    ...serviceLabels(cluster),
    ['request_protocol', cluster.protocol === 'grpc' ? 'grpc' : 'http'],
    ['response_code', String(outcome.status)],
    ['response_flags', outcome.flags || '-'],
    ['connection_security_policy', security],
  ];
  if (cluster.protocol === 'grpc') labels.push(['grpc_response_status', grpcStatus(outcome.status)]);
  return labels;
}

/** Istio's labels of the istio_tcp_* metrics: no response code, the protocol "tcp". */
function tcpLabels(
  reporter: 'source' | 'destination',
  caller: Caller,
  cluster: Cluster,
  destination: Peer,
  mutual: boolean,
  flags: string,
  security: string,
): string {
  return renderLabels([
    ['reporter', reporter],
    ...peerLabels('source', caller, mutual),
    ...peerLabels('destination', destination, mutual),
    ...serviceLabels(cluster),
    ['request_protocol', 'tcp'],
    ['response_flags', flags],
    ['connection_security_policy', security],
  ]);
}

/** The gRPC status Envoy maps an HTTP status to (OK, or UNAVAILABLE, DEADLINE_EXCEEDED, …). */
function grpcStatus(status: number): string {
  if (status === 200) return '0';
  if (status === 504) return '4';
  if (status === 429) return '8';
  if (status === 404) return '12';
  if (status === 503 || status === 502) return '14';
  return '2';
}

/** The tags Istio's proxies put on every span, with the Telemetry resource's custom tags. */
function proxyTags(
  kind: 'client' | 'server',
  service: string,
  version: string,
  namespace: string,
  requestId: string,
  userId: string,
  deploymentVersion: string,
): Tag[] {
  return [
    tag('span.kind', kind),
    tag('component', 'proxy'),
    tag('istio.canonical_service', service),
    tag('istio.canonical_revision', version),
    tag('istio.namespace', namespace),
    tag('x-request-id', requestId),
    tag('x-user-id', userId),
    tag('x-deployment-version', deploymentVersion),
  ];
}

function retryable(outcome: Outcome, retryOn: string[]): boolean {
  if (outcome.flags === 'UO' || outcome.flags === 'RL') return false;
  if (outcome.status >= 500 && retryOn.includes('5xx')) return true;
  if (outcome.status >= 502 && outcome.status <= 504 && retryOn.includes('gateway-error')) return true;
  if (outcome.status === 503 && (retryOn.includes('unavailable') || retryOn.includes('connect-failure') || retryOn.includes('reset')) && outcome.flags === 'UC')
    return true;
  return false;
}

function weighted(shares: Record<string, number>, draw: number): string {
  const entries = Object.entries(shares);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = draw * total;
  for (const [key, w] of entries) {
    x -= w;
    if (x < 0) return key;
  }
  return entries[entries.length - 1]![0];
}

/** A log-normal latency through the scenario's p50 and p99. */
function sampleLatency(b: VersionBehaviour, random: () => number): number {
  const mu = Math.log(b.p50);
  const sigma = (Math.log(b.p99) - mu) / 2.326;
  const u = Math.max(1e-12, random());
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.exp(mu + sigma * normal);
}

function tag(key: string, value: string | boolean | number): Tag {
  return { key, type: typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'float64' : 'string', value };
}

function parseRateLimit(filter: KubeObject): RateLimit[] {
  const spec = filter.spec as {
    workloadSelector?: { labels?: Record<string, string> };
    configPatches?: { patch?: { value?: { name?: string; typed_config?: Record<string, unknown> } } }[];
  };
  return (spec.configPatches ?? []).flatMap((p) => {
    const value = p.patch?.value;
    if (value?.name !== 'envoy.filters.http.local_ratelimit') return [];
    const config = (value.typed_config?.value ?? value.typed_config) as
      { token_bucket?: { max_tokens?: number; tokens_per_fill?: number; fill_interval?: string } } | undefined;
    const bucket = config?.token_bucket;
    if (!bucket?.max_tokens) return [];
    return [
      {
        namespace: filter.metadata.namespace!,
        selector: spec.workloadSelector?.labels,
        key: `${filter.metadata.namespace}|${JSON.stringify(spec.workloadSelector?.labels ?? {})}`,
        maxTokens: bucket.max_tokens,
        tokensPerFill: bucket.tokens_per_fill ?? 1,
        fillMs: durationMs(bucket.fill_interval) ?? 1000,
      },
    ];
  });
}
