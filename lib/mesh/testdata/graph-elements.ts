// Builders of graph nodes and edges for tests: the defaults of a quiet element, the test's own fields over them.
import { edgeId, nodeId, type GraphEdge, type GraphNode } from '../graph';

export const graphNode = (kind: GraphNode['kind'], namespace: string, name: string, extra: Partial<GraphNode> = {}): GraphNode => ({
  id: nodeId(kind, namespace, name, extra.version),
  kind,
  namespace,
  name,
  traffic: { inRps: 0, outRps: 0, errorRatio: 0 },
  decoration: {},
  ...extra,
});

/** An HTTP edge at 1 rps, no errors, 10 ms P95, fully mTLS, unless `extra` says otherwise. */
export function graphEdge(source: GraphNode, target: GraphNode, extra: Partial<GraphEdge> = {}): GraphEdge {
  const protocol = extra.protocol ?? 'http';
  return { id: edgeId(source.id, target.id, protocol), source: source.id, target: target.id, protocol, rps: 1, errors4xx: 0, errors5xx: 0, p95: 10, mtls: 1, flags: {}, ...extra };
}
