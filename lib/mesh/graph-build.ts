// Istio's standard telemetry → the service graph's nodes and edges (pure, linear in the samples).
// The samples are workload-level (lib/metrics/graph.ts); this folds them into the nodes of the
// chosen grouping, Kiali's four graph types:
// - version (versioned app): caller app-version → service → the app-version answering;
// - app: caller app → service → app; workload: caller workload → service → workload;
// - service: caller's service (its canonical service) → service.
// A call both proxies reported is counted once, from the destination's report, which carries
// connection_security_policy; calls no destination proxy saw (external hosts, requests the
// caller's proxy answered itself: UO, UH, NR) come from the source's report.
import { edgeId, nodeId, type GraphEdge, type GraphNode, type GroupBy, type NodeKind, type Protocol } from './graph';

/** One sample of an instant vector. */
export interface MetricSample {
  metric: Record<string, string>;
  value: number;
}

/** The answers of the graph's queries, split into their parts (lib/metrics/graph.ts). */
export interface GraphSamples {
  /** Requests/s per call, reporter and connection_security_policy. */
  requests: MetricSample[];
  /** 4xx and 5xx requests/s per call and reporter. */
  errors4xx: MetricSample[];
  errors5xx: MetricSample[];
  /** Requests/s per call, reporter and response_flags (without '-'). */
  flags: MetricSample[];
  /** P95 (ms) per caller workload and service, and per service and workload answering. */
  latencyIn: MetricSample[];
  latencyOut: MetricSample[];
  /** TCP bytes/s (sent plus received) per call, reporter and connection_security_policy. */
  tcp: MetricSample[];
}

/** What the watch caches know that telemetry does not; each part optional (the graph degrades without it). */
export interface BuildContext {
  /** Gateway workloads, as `namespace/workload` (pods labelled as Istio or Gateway API gateways). */
  gateways?: ReadonlySet<string>;
  /** Hosts declared by ServiceEntries. */
  serviceEntryHosts?: ReadonlySet<string>;
}

const UNKNOWN = 'unknown';
const known = (v: string | undefined): v is string => !!v && v !== UNKNOWN;
const firstKnown = (a: string | undefined, b?: string) => (known(a) ? a : known(b) ? b : undefined);
/** Each side's label names, spelled once (the builder reads them for every sample). */
const SIDE = {
  source: {
    workload: 'source_workload',
    service: 'source_canonical_service',
    revision: 'source_canonical_revision',
    app: 'source_app',
    version: 'source_version',
  },
  destination: {
    workload: 'destination_workload',
    service: 'destination_canonical_service',
    revision: 'destination_canonical_revision',
    app: 'destination_app',
    version: 'destination_version',
  },
} as const;
/** Gateways by name, when the caches cannot say: istio-ingressgateway, shop-egressgateway, … */
const GATEWAY_NAME = /(^|-)(ingress|egress)gateway$/;
const IN_CLUSTER_HOST = /\.svc\.cluster\.local$/;
/** Flags that mean a circuit breaker kept the request from any host: overflow, no healthy upstream. */
const TRIPPING_FLAGS = ['UO', 'UH'] as const;

/** The call a sample measures, as the `unless on` of the requests query keys it. */
const callKey = (m: Record<string, string>, family: 'requests' | 'tcp') =>
  `${family}|${m.source_workload_namespace ?? ''}|${m.source_workload ?? ''}|${m.destination_service ?? ''}|${m.destination_workload_namespace ?? ''}|${m.destination_workload ?? ''}`;

const protocolOf = (m: Record<string, string>): Protocol => (m.request_protocol === 'grpc' ? 'grpc' : 'http');

interface EdgeTotals {
  source: string;
  target: string;
  protocol: Protocol;
  /** requests/s (http, grpc) or bytes/s (tcp) */
  rate: number;
  /** The part of `rate` a destination proxy reported, and of that the part over mutual TLS. */
  destinationRate: number;
  mtlsRate: number;
  errors4xx: number;
  errors5xx: number;
  flags: Map<string, number>;
  p95Destination?: number;
  p95Source?: number;
}

/** The graph's nodes and edges from its samples; `decoration` left empty for lib/k8s/graph.ts. */
export function buildGraph(samples: GraphSamples, groupBy: GroupBy, context: BuildContext = {}): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, EdgeTotals>();

  // Which calls and which hosts a destination proxy reported: those are counted from its report.
  const reportedByDestination = new Set<string>();
  const hostsWithDestinationProxy = new Set<string>();
  for (const [list, family] of [
    [samples.requests, 'requests'],
    [samples.tcp, 'tcp'],
  ] as const) {
    for (const { metric: m } of list) {
      if (m.reporter !== 'destination') continue;
      reportedByDestination.add(callKey(m, family));
      hostsWithDestinationProxy.add(m.destination_service ?? '');
    }
  }
  const counted = (m: Record<string, string>, family: 'requests' | 'tcp' = 'requests') =>
    (m.reporter === 'destination') === reportedByDestination.has(callKey(m, family));

  /** A node, made on first sight (`extra` only then); only versioned-app nodes carry the version in their id. */
  const node = (kind: NodeKind, namespace: string, name: string, version = '', extra?: () => Partial<GraphNode>): string => {
    const id = nodeId(kind, namespace, name, version);
    if (!nodes.has(id)) nodes.set(id, { id, kind, namespace, name, ...extra?.(), traffic: { inRps: 0, outRps: 0, errorRatio: 0 }, decoration: {} });
    return id;
  };
  const isGateway = (namespace: string, workload: string) => context.gateways?.has(`${namespace}/${workload}`) || GATEWAY_NAME.test(workload);

  /** A workload's node in this grouping, from its side's labels (`source` or `destination`). */
  const workloadNode = (side: 'source' | 'destination', namespace: string, m: Record<string, string>): string => {
    const labels = SIDE[side];
    const workload = m[labels.workload]!;
    if (isGateway(namespace, workload)) return node('gateway', namespace, workload);
    // Istio's canonical service defaults to the app label, then the workload name; its revision to "latest".
    const app = firstKnown(m[labels.service], m[labels.app]) ?? workload;
    const version = () => firstKnown(m[labels.revision], m[labels.version]) ?? m[labels.revision] ?? m[labels.version] ?? 'latest';
    switch (groupBy) {
      case 'version': {
        const v = version();
        return node('workload', namespace, app, v, () => ({ app, version: v }));
      }
      case 'app':
        return node('workload', namespace, app, '', () => ({ app }));
      case 'workload':
        return node('workload', namespace, workload, '', () => ({ app, version: version() }));
      case 'service':
        return node('service', namespace, app, '', () => ({ host: `${app}.${namespace}.svc.cluster.local` }));
    }
  };

  const callerNode = (m: Record<string, string>) =>
    known(m.source_workload) ? workloadNode('source', m.source_workload_namespace ?? '', m) : node('unknown', '', UNKNOWN);

  /** The called host's node: a service, or an external node for a host no destination proxy serves. */
  const calledNode = (m: Record<string, string>): { id: string; service: boolean } => {
    const host = firstKnown(m.destination_service) ?? '';
    const declaredExternal = context.serviceEntryHosts?.has(host) || !IN_CLUSTER_HOST.test(host);
    if (!hostsWithDestinationProxy.has(host) && declaredExternal)
      return { id: node('external', '', firstKnown(host, m.destination_service_name) ?? UNKNOWN, '', () => (host ? { host } : {})), service: false };
    const namespace = firstKnown(m.destination_service_namespace) ?? '';
    const name = firstKnown(m.destination_service_name) ?? host.split('.')[0]!;
    return { id: node('service', namespace, name, '', () => ({ host })), service: true };
  };

  /** The edges a sample adds to: caller → service, and service → the workload answering (when one did and the grouping shows it). */
  const route = (m: Record<string, string>, protocol: Protocol): EdgeTotals[] => {
    const called = calledNode(m);
    const route = [edge(callerNode(m), called.id, protocol)];
    if (called.service && groupBy !== 'service' && known(m.destination_workload)) {
      const namespace = firstKnown(m.destination_workload_namespace, m.destination_service_namespace) ?? '';
      route.push(edge(called.id, workloadNode('destination', namespace, m), protocol));
    }
    return route;
  };
  const edge = (source: string, target: string, protocol: Protocol): EdgeTotals => {
    const id = edgeId(source, target, protocol);
    let totals = edges.get(id);
    if (!totals) edges.set(id, (totals = { source, target, protocol, rate: 0, destinationRate: 0, mtlsRate: 0, errors4xx: 0, errors5xx: 0, flags: new Map() }));
    return totals;
  };

  const addRates = (list: MetricSample[], family: 'requests' | 'tcp') => {
    for (const { metric: m, value } of list) {
      if (!counted(m, family) || !Number.isFinite(value)) continue;
      for (const e of route(m, family === 'tcp' ? 'tcp' : protocolOf(m))) {
        e.rate += value;
        if (m.reporter !== 'destination') continue;
        e.destinationRate += value;
        if (m.connection_security_policy === 'mutual_tls') e.mtlsRate += value;
      }
    }
  };
  addRates(samples.requests, 'requests');
  addRates(samples.tcp, 'tcp');
  for (const [list, field] of [
    [samples.errors4xx, 'errors4xx'],
    [samples.errors5xx, 'errors5xx'],
  ] as const) {
    for (const { metric: m, value } of list) if (counted(m) && Number.isFinite(value)) for (const e of route(m, protocolOf(m))) e[field] += value;
  }
  for (const { metric: m, value } of samples.flags) {
    if (!counted(m) || !Number.isFinite(value) || !known(m.response_flags) || m.response_flags === '-') continue;
    for (const e of route(m, protocolOf(m))) e.flags.set(m.response_flags!, (e.flags.get(m.response_flags!) ?? 0) + value);
  }
  // P95: the destination's measure when it reported, else the source's; several workloads folded into one edge keep the worst.
  const addP95 = (e: EdgeTotals | undefined, m: Record<string, string>, value: number) => {
    if (!e || !Number.isFinite(value)) return;
    if (m.reporter === 'destination') e.p95Destination = Math.max(e.p95Destination ?? value, value);
    else e.p95Source = Math.max(e.p95Source ?? value, value);
  };
  for (const { metric: m, value } of samples.latencyIn) addP95(edges.get(edgeId(callerNode(m), calledNode(m).id, protocolOf(m))), m, value);
  if (groupBy !== 'service') {
    for (const { metric: m, value } of samples.latencyOut) {
      const called = calledNode(m);
      if (!called.service || !known(m.destination_workload)) continue;
      const namespace = firstKnown(m.destination_workload_namespace, m.destination_service_namespace) ?? '';
      addP95(edges.get(edgeId(called.id, workloadNode('destination', namespace, m), protocolOf(m))), m, value);
    }
  }
  return finish(nodes, edges);
}

/** Edge ratios, service split shares and node traffic, in a stable order. */
function finish(nodes: Map<string, GraphNode>, totals: Map<string, EdgeTotals>): { nodes: GraphNode[]; edges: GraphEdge[] } {
  // What leaves each service toward the workloads behind it, per family (requests, tcp bytes): the split.
  const splitTotals = new Map<string, number>();
  const splitKey = (e: EdgeTotals) => `${e.source}|${e.protocol === 'tcp' ? 'tcp' : 'requests'}`;
  const splits = new Set<EdgeTotals>();
  for (const e of totals.values()) {
    const target = nodes.get(e.target)!.kind;
    if (nodes.get(e.source)!.kind !== 'service' || target === 'service' || target === 'external') continue;
    splits.add(e);
    splitTotals.set(splitKey(e), (splitTotals.get(splitKey(e)) ?? 0) + e.rate);
  }

  const errorRps = new Map<string, number>();
  const edges: GraphEdge[] = [];
  for (const [id, e] of totals) {
    const tcp = e.protocol === 'tcp';
    const rps = tcp ? 0 : e.rate;
    const ratio = (part: number) => (rps > 0 ? Math.min(1, part / rps) : 0);
    const flags = Object.fromEntries([...e.flags].filter(([, v]) => v > 0).sort(([a], [b]) => a.localeCompare(b)));
    const total = splits.has(e) ? splitTotals.get(splitKey(e))! : 0;
    edges.push({
      id,
      source: e.source,
      target: e.target,
      protocol: e.protocol,
      rps,
      ...(tcp ? { tcpBytesPerSecond: e.rate } : {}),
      errors4xx: ratio(e.errors4xx),
      errors5xx: ratio(e.errors5xx),
      p95: e.p95Destination ?? e.p95Source ?? null,
      mtls: e.destinationRate > 0 ? e.mtlsRate / e.destinationRate : null,
      flags,
      ...(total > 0 ? { share: e.rate / total } : {}),
    });
    const source = nodes.get(e.source)!;
    const target = nodes.get(e.target)!;
    source.traffic.outRps += rps;
    target.traffic.inRps += rps;
    if (!tcp) errorRps.set(e.target, (errorRps.get(e.target) ?? 0) + e.errors4xx + e.errors5xx);
    const tripped = TRIPPING_FLAGS.map((f) => e.flags.get(f) ?? 0);
    if (tripped.some((v) => v > 0)) {
      const sum = (target.tripped ??= { uo: 0, uh: 0 });
      sum.uo += tripped[0]!;
      sum.uh += tripped[1]!;
    }
  }
  for (const n of nodes.values()) n.traffic.errorRatio = n.traffic.inRps > 0 ? Math.min(1, (errorRps.get(n.id) ?? 0) / n.traffic.inRps) : 0;
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { nodes: [...nodes.values()].sort(byId), edges: edges.sort(byId) };
}
