// Simulated workload for the sandbox mesh. Requests from a synthetic user population enter
// through the ingress gateway (and a plaintext client outside the mesh), are routed by the
// live VirtualServices, shaped by the DestinationRules' traffic policies, PeerAuthentication
// and the local rate limits, and leave Istio's standard metrics and Jaeger spans behind.
import { randomBytes } from 'node:crypto';
import type { ResourceRegistry, ResourceType } from '../api/resources.ts';
import type { KubeObject, Store } from '../api/store.ts';
import { DURATION_BUCKETS, Metrics, SIZE_BUCKETS } from './metrics.ts';
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
import type { Scenario, VersionBehaviour } from './scenario.ts';
import { TraceStore, type Span, type Tag } from './traces.ts';

const GATEWAY = { workload: 'istio-ingressgateway', namespace: 'istio-system', app: 'istio-ingressgateway', version: 'unknown' };

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

interface Endpoint {
  pod: string;
  ip: string;
  workload: string;
  version: string;
  consecutive5xx: number;
  consecutiveGateway: number;
  ejectedUntil: number;
  ejections: number;
}

interface Cluster {
  name: string; // Envoy's cluster name: outbound|8080|subset|host
  service: string;
  namespace: string;
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
  maxTokens: number;
  tokensPerFill: number;
  fillMs: number;
}

interface Caller {
  workload: string;
  namespace: string;
  app: string;
  version: string;
  mtls: boolean; // a sidecar-equipped caller presents a mesh certificate
}

interface Outcome {
  status: number;
  flags: string;
  duration: number;
  version: string;
  workload: string;
}

interface Model {
  virtualServices: { namespace: string; name: string; spec: VirtualServiceSpec }[];
  clusters: Map<string, Cluster>;
  services: Map<string, { namespace: string; selector: Record<string, string> }>;
  pods: KubeObject[];
  peerAuthentications: KubeObject[];
  rateLimits: RateLimit[];
  sampling: number;
}

const matchesLabels = (labels: Record<string, string> | undefined, selector: Record<string, string> | undefined) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

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
  private plaintextCarry = 0;
  private lastTick = Date.now();
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private readonly activeUsers = new Map<string, number>();
  private unsubscribers: (() => void)[] = [];
  requests = 0;

  constructor(options: SimulatorOptions) {
    this.store = options.store;
    this.scenario = options.scenario;
    this.random = options.random ?? Math.random;
    this.tickMs = options.tickMs ?? 50;
    const t = (group: string, version: string, plural: string) => options.registry.byPath(group, version, plural)!;
    this.types = {
      vs: t('networking.istio.io', 'v1', 'virtualservices'),
      dr: t('networking.istio.io', 'v1', 'destinationrules'),
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
  }

  setScenario(scenario: Scenario): void {
    this.scenario = scenario;
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
    const elapsed = (now - this.lastTick) / 1000;
    this.lastTick = now;
    this.carry += this.scenario.rate * elapsed;
    this.plaintextCarry += (this.scenario.plaintextRate ?? 0) * elapsed;
    for (; this.carry >= 1; this.carry--) this.gatewayRequest(now);
    for (; this.plaintextCarry >= 1; this.plaintextCarry--) this.plaintextRequest(now);
    this.updateGauges(now);
  }

  private getModel(): Model {
    if (this.model) return this.model;
    const previous = new Map([...(this.lastModel?.clusters ?? [])]);
    const byCreation = (a: KubeObject, b: KubeObject) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name);
    const services = new Map<string, { namespace: string; selector: Record<string, string> }>();
    for (const svc of this.store.list(this.types.svc!)) {
      services.set(`${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`, {
        namespace: svc.metadata.namespace!,
        selector: (svc.spec as { selector?: Record<string, string> })?.selector ?? {},
      });
    }
    const telemetry = this.store.list(this.types.tel!).flatMap((t) => (t.spec as { tracing?: { randomSamplingPercentage?: number }[] })?.tracing ?? []);
    const model: Model = {
      virtualServices: this.store
        .list(this.types.vs!)
        .sort(byCreation)
        .map((vs) => ({ namespace: vs.metadata.namespace!, name: vs.metadata.name, spec: (vs.spec ?? {}) as VirtualServiceSpec })),
      clusters: new Map(),
      services,
      pods: this.store.list(this.types.pod!),
      peerAuthentications: this.store.list(this.types.pa!),
      rateLimits: this.store.list(this.types.ef!).flatMap(parseRateLimit),
      sampling: this.scenario.traceSampling ?? telemetry.find((t) => t.randomSamplingPercentage !== undefined)?.randomSamplingPercentage ?? 1,
    };
    // Keep each cluster's live state (ejections, in-flight requests) across rebuilds.
    for (const [name, cluster] of previous) model.clusters.set(name, cluster);
    this.lastModel = model;
    this.model = model;
    this.clusterPolicyCache.clear();
    return model;
  }
  private lastModel: Model | undefined;
  private readonly clusterPolicyCache = new Map<string, boolean>();

  private destinationRule(
    host: string,
  ): { trafficPolicy?: TrafficPolicy; subsets?: { name: string; labels?: Record<string, string>; trafficPolicy?: TrafficPolicy }[] } | undefined {
    const [name, namespace] = host.split('.');
    const rule =
      this.store.list(this.types.dr!).find((dr) => canonicalHost((dr.spec as { host: string }).host, dr.metadata.namespace!) === host) ??
      this.store.list(this.types.dr!, namespace).find((dr) => shortHost((dr.spec as { host: string }).host) === name);
    return rule?.spec as never;
  }

  /** The cluster (endpoints and policy) for a destination, refreshed from the current model. */
  private cluster(destination: Destination, namespace: string): Cluster | undefined {
    const model = this.getModel();
    const host = canonicalHost(destination.host, namespace);
    const name = `outbound|${destination.port?.number ?? 8080}|${destination.subset ?? ''}|${host}`;
    let cluster = model.clusters.get(name);
    if (cluster && this.clusterPolicyCache.get(name)) return cluster;
    const service = model.services.get(host);
    if (!service) return undefined;
    const rule = this.destinationRule(host);
    const subset = destination.subset ? rule?.subsets?.find((s) => s.name === destination.subset) : undefined;
    if (destination.subset && !subset) return undefined; // NR: the subset does not exist
    const policy: TrafficPolicy = { ...rule?.trafficPolicy, ...subset?.trafficPolicy };
    const pods = model.pods.filter(
      (p) =>
        p.metadata.namespace === service.namespace && matchesLabels(p.metadata.labels, service.selector) && matchesLabels(p.metadata.labels, subset?.labels),
    );
    const known = new Map((cluster?.endpoints ?? []).map((e) => [e.pod, e]));
    const endpoints = pods.map(
      (p) =>
        known.get(p.metadata.name) ?? {
          pod: p.metadata.name,
          ip: (p.status as { podIP?: string })?.podIP ?? '0.0.0.0',
          workload: p.metadata.ownerReferences?.[0]?.name ?? p.metadata.name,
          version: p.metadata.labels?.version ?? 'unknown',
          consecutive5xx: 0,
          consecutiveGateway: 0,
          ejectedUntil: 0,
          ejections: 0,
        },
    );
    cluster = cluster
      ? Object.assign(cluster, { endpoints, policy })
      : {
          name,
          service: shortHost(host),
          namespace: service.namespace,
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
    this.clusterPolicyCache.set(name, true);
    return cluster;
  }

  private mtlsMode(namespace: string, labels: Record<string, string> | undefined): string {
    const pas = this.getModel().peerAuthentications;
    const mode = (pa: KubeObject | undefined) => {
      const spec = pa?.spec as { mtls?: { mode?: string }; portLevelMtls?: Record<string, { mode?: string }> } | undefined;
      return spec?.portLevelMtls?.['8080']?.mode ?? spec?.mtls?.mode;
    };
    const workload = pas.find(
      (p) =>
        p.metadata.namespace === namespace &&
        (p.spec as { selector?: { matchLabels?: Record<string, string> } })?.selector?.matchLabels &&
        matchesLabels(labels, (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels),
    );
    const ns = pas.find((p) => p.metadata.namespace === namespace && !(p.spec as { selector?: unknown })?.selector);
    const mesh = pas.find((p) => p.metadata.namespace === 'istio-system' && !(p.spec as { selector?: unknown })?.selector);
    for (const candidate of [mode(workload), mode(ns), mode(mesh)]) if (candidate && candidate !== 'UNSET') return candidate;
    return 'PERMISSIVE';
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
    const request: RequestInfo = {
      host: 'api.ai-nutritionist.com',
      path: `${path}/${['meals', 'plans', 'sessions', 'status'][Math.floor(this.random() * 4)]}`,
      method: path.includes('payments') ? 'POST' : 'GET',
      headers,
      gateway: 'ai-nutritionist/ai-nutritionist-gateway',
    };
    this.route(request, { ...GATEWAY, mtls: true }, 'ai-nutritionist', now, { spans, traceId, parent: undefined, user });
  }

  private plaintextRequest(now: number): void {
    // A legacy client outside the mesh calls nutrition-service directly, without mTLS.
    const user = this.user();
    const request: RequestInfo = {
      host: 'nutrition-service.ai-nutritionist.svc.cluster.local',
      path: '/api/v1/nutrition/legacy-export',
      method: 'GET',
      headers: { 'x-request-id': crypto.randomUUID(), 'x-user-id': user.id, 'x-user-tier': user.tier },
    };
    this.route(
      request,
      { workload: 'unknown', namespace: 'unknown', app: 'unknown', version: 'unknown', mtls: false },
      'ai-nutritionist',
      now,
      { spans: undefined, traceId: hex(16), parent: undefined, user },
      true,
    );
  }

  /**
   * Routes one request from `caller` and returns its outcome. `direct` skips the caller's
   * sidecar (a client outside the mesh connects straight to the destination's pods).
   */
  private route(
    request: RequestInfo,
    caller: Caller,
    namespace: string,
    now: number,
    trace: { spans: Span[] | undefined; traceId: string; parent: string | undefined; user: { id: string; tier: string } },
    direct = false,
  ): Outcome {
    const model = this.getModel();
    const applicable = model.virtualServices.filter((vs) => virtualServiceApplies(vs.spec, vs.namespace, request));
    // At a gateway Istio merges the routes of every VirtualService for the host, in creation order; in the mesh the first one wins.
    const routes: HTTPRoute[] = request.gateway ? applicable.flatMap((vs) => vs.spec.http ?? []) : (applicable[0]?.spec.http ?? []);
    let route: HTTPRoute | undefined;
    if (applicable.length === 0) {
      route = { route: [{ destination: { host: request.host.split(':')[0]! } }] };
    } else {
      route = selectRoute(routes, request)?.route;
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
        this.attemptAt(mirror.destination, request, caller, namespace, now, { ...trace, spans: undefined }, direct);
    }
    const timeout = durationMs(route.timeout);
    const attempts = 1 + (route.retries?.attempts ?? 2);
    const perTry = durationMs(route.retries?.perTryTimeout);
    const retryOn = (route.retries?.retryOn ?? 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes').split(',');
    let elapsed = delay;
    let outcome: Outcome | undefined;
    let cluster: Cluster | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const result = this.attemptAt(destination, request, caller, namespace, now + elapsed, trace, direct, span?.spanID, perTry);
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
    direct: boolean,
    parentSpan?: string,
    perTry?: number,
  ): { outcome: Outcome; cluster: Cluster | undefined } {
    const cluster = this.cluster(destination, namespace);
    if (!cluster) return { outcome: { status: 503, flags: 'NR', duration: 0, version: 'unknown', workload: 'unknown' }, cluster };
    cluster.inflight = cluster.inflight.filter((end) => end > now);
    const pool = cluster.policy.connectionPool;
    const limit = (pool?.tcp?.maxConnections ?? 2 ** 32) + (pool?.http?.http1MaxPendingRequests ?? 2 ** 32);
    if (cluster.inflight.length >= limit) {
      cluster.overflows++;
      return { outcome: { status: 503, flags: 'UO', duration: 0, version: 'unknown', workload: 'unknown' }, cluster };
    }
    const endpoint = this.pickEndpoint(cluster, request, now);
    if (!endpoint) return { outcome: { status: 503, flags: 'UH', duration: 0, version: 'unknown', workload: 'unknown' }, cluster };

    const podLabels = this.getModel().pods.find((p) => p.metadata.name === endpoint.pod)?.metadata.labels;
    const mode = this.mtlsMode(cluster.namespace, podLabels);
    const mutual = caller.mtls && mode !== 'DISABLE';
    if (!caller.mtls && mode === 'STRICT') {
      // The server sidecar refuses the plaintext connection before any HTTP exchange.
      this.metrics.inc(
        'sandbox_plaintext_connections_refused_total',
        { destination_service_name: cluster.service, destination_workload: endpoint.workload },
        1,
        'Plaintext connections refused by STRICT mTLS',
      );
      return { outcome: { status: 503, flags: 'UC', duration: 1, version: endpoint.version, workload: endpoint.workload }, cluster };
    }
    const security = mutual ? 'mutual_tls' : 'none';

    let outcome: Outcome;
    if (!this.takeToken(cluster.namespace, podLabels, endpoint.pod, trace.user.id, now)) {
      outcome = { status: 429, flags: 'RL', duration: 0.2, version: endpoint.version, workload: endpoint.workload };
    } else {
      const behaviour = this.scenario.versions[cluster.service]?.[endpoint.version] ?? { p50: 30, p99: 150, errorRate: 0 };
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
      for (const call of this.scenario.calls[cluster.service] ?? []) {
        const downstream = this.route(
          {
            host: `${call.service}.${cluster.namespace}.svc.cluster.local`,
            path: call.path,
            method: 'GET',
            headers: { ...request.headers, 'x-deployment-version': endpoint.version },
          },
          { workload: endpoint.workload, namespace: cluster.namespace, app: cluster.service, version: endpoint.version, mtls: true },
          cluster.namespace,
          now + duration / 2,
          { ...trace, parent: serverSpan?.spanID },
        );
        duration += downstream.duration;
        if (downstream.status >= 500) status = 500;
      }
      if (ownFailure) status = 503;
      if (perTry !== undefined && duration > perTry) {
        duration = perTry;
        status = 504;
        cluster.timeouts++;
      }
      outcome = { status, flags: status === 504 ? 'UT' : '', duration, version: endpoint.version, workload: endpoint.workload };
      if (serverSpan) {
        serverSpan.duration = Math.round(duration * 1000);
        serverSpan.tags.push(tag('http.status_code', String(status)), ...(status >= 500 ? [tag('error', true)] : []));
      }
    }
    cluster.inflight.push(now + outcome.duration);
    this.updateOutlier(cluster, endpoint, outcome.status, now);
    this.recordDestination(caller, cluster, endpoint, outcome, security, request);
    return { outcome, cluster };
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
    for (const limit of this.getModel().rateLimits) {
      if (limit.namespace !== namespace || (limit.selector && !matchesLabels(labels, limit.selector))) continue;
      const key = `${limit.namespace}|${JSON.stringify(limit.selector ?? {})}|${this.scenario.rateLimitKey === 'sidecar' ? pod : user}`;
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

  private recordDestination(caller: Caller, cluster: Cluster, endpoint: Endpoint, outcome: Outcome, security: string, request: RequestInfo): void {
    const labels = istioLabels('destination', caller, cluster, { ...outcome, workload: endpoint.workload, version: endpoint.version }, security);
    this.metrics.inc('istio_requests_total', { ...labels, user_tier: request.headers['x-user-tier'] ?? 'unknown' }, 1, 'Total requests.');
    this.metrics.observe('istio_request_duration_milliseconds', labels, outcome.duration, DURATION_BUCKETS, 'Request duration in milliseconds.');
    this.metrics.observe('istio_request_bytes', labels, 400 + Math.floor(this.random() * 800), SIZE_BUCKETS, 'Request size in bytes.');
    this.metrics.observe(
      'istio_response_bytes',
      labels,
      outcome.status === 200 ? 1000 + Math.floor(this.random() * 9000) : 90,
      SIZE_BUCKETS,
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
      // The source sidecar cannot see the server's peer authentication, so Istio reports "unknown".
      const labels = istioLabels('source', caller, cluster, outcome, 'unknown');
      this.metrics.inc('istio_requests_total', { ...labels, user_tier: request.headers['x-user-tier'] ?? 'unknown' }, 1, 'Total requests.');
      this.metrics.observe('istio_request_duration_milliseconds', labels, outcome.duration, DURATION_BUCKETS, 'Request duration in milliseconds.');
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
      this.metrics.set(
        'envoy_cluster_outlier_detection_ejections_active',
        labels,
        cluster.endpoints.filter((e) => e.ejectedUntil > now).length,
        'Hosts currently ejected',
      );
      this.metrics.set('envoy_cluster_outlier_detection_ejections_enforced_total', labels, cluster.ejectionsTotal, 'Ejections enforced');
      this.metrics.set('envoy_cluster_upstream_rq_pending_overflow', labels, cluster.overflows, 'Requests that overflowed the connection pool (UO)');
      this.metrics.set('envoy_cluster_upstream_rq_retry', labels, cluster.retries, 'Retries');
      this.metrics.set('envoy_cluster_upstream_rq_timeout', labels, cluster.timeouts, 'Requests that timed out (UT)');
      this.metrics.set('envoy_cluster_membership_total', labels, cluster.endpoints.length, 'Hosts in the cluster');
    }
  }
}

/** Istio's standard labels of istio_requests_total and its histograms, for one reporter. */
function istioLabels(reporter: 'source' | 'destination', caller: Caller, cluster: Cluster, outcome: Outcome, security: string): Record<string, string> {
  return {
    reporter,
    source_workload: caller.workload,
    source_workload_namespace: caller.namespace,
    source_app: caller.app,
    source_version: caller.version,
    destination_workload: outcome.workload,
    destination_workload_namespace: cluster.namespace,
    destination_app: cluster.service,
    destination_version: outcome.version,
    destination_service: `${cluster.service}.${cluster.namespace}.svc.cluster.local`,
    destination_service_name: cluster.service,
    destination_service_namespace: cluster.namespace,
    request_protocol: 'http',
    response_code: String(outcome.status),
    response_flags: outcome.flags || '-',
    connection_security_policy: security,
  };
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
        maxTokens: bucket.max_tokens,
        tokensPerFill: bucket.tokens_per_fill ?? 1,
        fillMs: durationMs(bucket.fill_interval) ?? 1000,
      },
    ];
  });
}
