// The service graph's model: who calls whom, as Istio's standard telemetry tells it, decorated
// with the configuration that shapes each call. Built on the server (lib/metrics/graph.ts reads
// Prometheus, lib/k8s/graph.ts decorates from the watch caches) and drawn by components/graph.
// Pure types and helpers only: no I/O here.

/** How workloads are folded into nodes, as Kiali's graph types: app, versioned app, workload, service. */
export const GROUP_BYS = ['app', 'version', 'workload', 'service'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** Rate windows the graph offers (PromQL range durations). */
export const GRAPH_WINDOWS = ['30s', '1m', '5m', '15m', '1h'] as const;
export type GraphWindow = (typeof GRAPH_WINDOWS)[number];

/**
 * - workload: a workload (groupBy workload), an app (groupBy app) or one version of an app (groupBy version);
 * - service: a Kubernetes service, the hop between callers and the versions behind it;
 * - gateway: an ingress (or egress) gateway's workload;
 * - unknown: callers from outside the mesh (no sidecar, so no source labels);
 * - external: a host outside the mesh, reached through a ServiceEntry (or passthrough).
 */
export type NodeKind = 'workload' | 'service' | 'gateway' | 'unknown' | 'external';

export type Protocol = 'http' | 'grpc' | 'tcp';

/** A node's configuration, from the watch caches (never an extra API call). */
export interface NodeDecoration {
  /** VirtualServices (namespace/name) that route to this service. */
  virtualServices?: string[];
  /** DestinationRules (namespace/name) whose host is this service. */
  destinationRules?: string[];
  /** Route weights per subset/version declared for this service, when a VirtualService splits it. */
  weights?: { version: string; weight: number }[];
  /** Circuit breaking declared for this service or version (DestinationRule connectionPool/outlierDetection). */
  breaker?: { connectionPool: boolean; outlierDetection: boolean };
  /** The workload's effective mTLS mode (PeerAuthentication), when known. */
  mtlsMode?: 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';
  /** An active emergency (mTLS lowered to PERMISSIVE) covers this node; revertAt in ISO time. */
  emergency?: { revertAt: string; reason: string };
  /** Validation findings on the node's objects, when the analysis is running (never started for the graph). */
  findings?: { error: number; warning: number; info: number };
}

export interface GraphNode {
  /** Stable across refreshes for the same workload/service: `kind|namespace|name|version`. */
  id: string;
  kind: NodeKind;
  /** The namespace box it is drawn in; '' for unknown and external nodes. */
  namespace: string;
  /** The app (canonical service), workload, service name or external host. */
  name: string;
  /** The app box it is drawn in (groupBy version): the canonical service. */
  app?: string;
  /** The version (canonical revision), for groupBy version. */
  version?: string;
  /** Service nodes: the fully qualified host, e.g. `reviews.bookinfo.svc.cluster.local`. */
  host?: string;
  /** Traffic through the node, summed over its edges (requests/s in, 5xx/4xx share of it). */
  traffic: { inRps: number; outRps: number; errorRatio: number };
  /**
   * Evidence of a tripped circuit breaker from standard telemetry: requests/s answered with UO
   * (connection pool overflow) or UH (no healthy upstream: all hosts ejected) toward this node.
   */
  tripped?: { uo: number; uh: number };
  decoration: NodeDecoration;
}

export interface GraphEdge {
  /** `source->target|protocol`. */
  id: string;
  source: string;
  target: string;
  protocol: Protocol;
  /** Requests per second (http/grpc); 0 for tcp. */
  rps: number;
  /** TCP bytes per second, sent plus received (tcp edges). */
  tcpBytesPerSecond?: number;
  /** Share of requests answered 4xx and 5xx (0..1). */
  errors4xx: number;
  errors5xx: number;
  /** P95 latency in milliseconds; null without histogram data. */
  p95: number | null;
  /** Share of requests over mutual TLS (0..1), from the destination's `connection_security_policy`; null when no destination proxy reported (external hosts). */
  mtls: number | null;
  /** Requests per second per Envoy response flag (UO, UH, UT, RL, NR, UC, DC, …); '-' left out. */
  flags: Record<string, number>;
  /** For edges out of a service node: this edge's share of the service's traffic (0..1): the real canary split. */
  share?: number;
}

export interface MeshGraph {
  /** ISO time of the Prometheus evaluation. */
  generatedAt: string;
  window: GraphWindow;
  groupBy: GroupBy;
  /** The namespaces asked for ([] = all). */
  namespaces: string[];
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The PromQL queries this answer took (the README lists them); ≤ 4 whatever the number of namespaces. */
  queries: number;
  /**
   * What could not be read: decoration degrades on its own without failing the graph; `latency`
   * when the edges have no P95 yet (the histograms are still being read, or failed).
   */
  degraded?: { decoration?: string; findings?: string; latency?: string };
}

/** The id of a node: stable across refreshes, unique across kinds and namespaces. */
export const nodeId = (kind: NodeKind, namespace: string, name: string, version = '') => `${kind}|${namespace}|${name}|${version}`;

/** The id of an edge. */
export const edgeId = (source: string, target: string, protocol: Protocol) => `${source}->${target}|${protocol}`;

const NODE_KINDS: readonly string[] = ['workload', 'service', 'gateway', 'unknown', 'external'] satisfies NodeKind[];
const PROTOCOLS: readonly string[] = ['http', 'grpc', 'tcp'] satisfies Protocol[];

export type NodeRef = Pick<GraphNode, 'kind' | 'namespace' | 'name'> & { version?: string };

/** A node id read back (the inverse of nodeId), or undefined when it is not one. */
export function parseNodeId(id: string): NodeRef | undefined {
  const parts = id.split('|');
  if (parts.length !== 4 || !NODE_KINDS.includes(parts[0]!) || !parts[2]) return undefined;
  const [kind, namespace, name, version] = parts as [NodeKind, string, string, string];
  return { kind, namespace, name, ...(version ? { version } : {}) };
}

/** An edge id read back (the inverse of edgeId), or undefined when it is not one. */
export function parseEdgeId(id: string): { source: NodeRef; target: NodeRef; protocol: Protocol } | undefined {
  const arrow = id.indexOf('->');
  const bar = id.lastIndexOf('|');
  if (arrow < 0 || bar < arrow) return undefined;
  const source = parseNodeId(id.slice(0, arrow));
  const target = parseNodeId(id.slice(arrow + 2, bar));
  const protocol = id.slice(bar + 1);
  return source && target && PROTOCOLS.includes(protocol) ? { source, target, protocol: protocol as Protocol } : undefined;
}

/** Total error share of an edge (4xx and 5xx). */
export const errorShare = (edge: Pick<GraphEdge, 'errors4xx' | 'errors5xx'>) => edge.errors4xx + edge.errors5xx;
