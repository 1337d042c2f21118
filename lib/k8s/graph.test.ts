import { describe, expect, it } from 'vitest';
import { ANNOTATIONS } from '@/lib/mesh/emergency';
import { nodeId, type GraphNode } from '@/lib/mesh/graph';
import type { PeerAuthentication } from '@/lib/mesh/security-types';
import type { DestinationRule, VirtualService } from '@/lib/mesh/types';
import { decorate, indexPods, type PodMeta } from './graph';

// Decoration from cached objects, on a bookinfo-like mesh: the reviews service split by a
// VirtualService over DestinationRule subsets, a breaker on one subset, PeerAuthentications
// with an emergency, and gateway pods.

const meta = (namespace: string, name: string, extra: Record<string, unknown> = {}) => ({ namespace, name, resourceVersion: '1', ...extra });
const node = (kind: GraphNode['kind'], namespace: string, name: string, extra: Partial<GraphNode> = {}): GraphNode => ({
  id: nodeId(kind, namespace, name, extra.version),
  kind,
  namespace,
  name,
  ...extra,
  traffic: { inRps: 0, outRps: 0, errorRatio: 0 },
  decoration: {},
});

const REVIEWS = 'reviews.bookinfo.svc.cluster.local';
const vs = (name: string, spec: VirtualService['spec'], namespace = 'bookinfo'): VirtualService => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: meta(namespace, name),
  spec,
});
const REVIEWS_VS = vs('reviews', {
  hosts: ['reviews'],
  http: [
    { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
    {
      route: [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 70 },
        { destination: { host: 'reviews', subset: 'v3' }, weight: 30 },
      ],
    },
  ],
});
// A gateway's VirtualService routes to reviews too: it shows among the service's, but its split is not the service's.
const GATEWAY_VS = vs('bookinfo-gateway', { hosts: ['bookinfo.example.com'], http: [{ route: [{ destination: { host: REVIEWS, subset: 'v2' }, weight: 100 }] }] });
const REVIEWS_DR: DestinationRule = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: meta('bookinfo', 'reviews'),
  spec: {
    host: 'reviews',
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
      { name: 'v3', labels: { version: 'v3' }, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } } },
    ],
  },
};
const pa = (namespace: string, name: string, mode: string, extra: Partial<PeerAuthentication['metadata']> = {}, selector?: Record<string, string>) =>
  ({
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: meta(namespace, name, extra),
    spec: { ...(selector ? { selector: { matchLabels: selector } } : {}), mtls: { mode } },
  }) as PeerAuthentication & { metadata: { generation?: number } };

function graphNodes() {
  return [
    node('service', 'bookinfo', 'reviews', { host: REVIEWS }),
    node('workload', 'bookinfo', 'reviews', { app: 'reviews', version: 'v1' }),
    node('workload', 'bookinfo', 'reviews', { app: 'reviews', version: 'v3' }),
    node('service', 'ratings', 'ratings', { host: 'ratings.ratings.svc.cluster.local' }),
    node('gateway', 'istio-system', 'istio-ingressgateway'),
  ];
}

describe('decorate', () => {
  it('names the routing objects of a service and the split its own VirtualService declares, by version', () => {
    const nodes = graphNodes();
    decorate(nodes, 'version', { vs: [GATEWAY_VS, REVIEWS_VS], dr: [REVIEWS_DR] });
    expect(nodes[0]!.decoration).toMatchObject({
      virtualServices: ['bookinfo/bookinfo-gateway', 'bookinfo/reviews'],
      destinationRules: ['bookinfo/reviews'],
      weights: [
        { version: 'v1', weight: 70 },
        { version: 'v3', weight: 30 },
      ],
      breaker: { connectionPool: false, outlierDetection: true },
    });
    // A service nobody routes: empty lists (read, none), not missing ones (not read).
    expect(nodes[3]!.decoration).toEqual({ virtualServices: [], destinationRules: [] });
  });

  it("gives a version the breaker of its subset, else none", () => {
    const nodes = graphNodes();
    decorate(nodes, 'version', { vs: [], dr: [REVIEWS_DR] });
    expect(nodes[1]!.decoration.breaker).toBeUndefined();
    expect(nodes[2]!.decoration.breaker).toEqual({ connectionPool: false, outlierDetection: true });
  });

  it('reads mTLS modes and an active emergency from PeerAuthentications, per workload by its pod labels', () => {
    const nodes = graphNodes();
    const emergency = { [ANNOTATIONS.revertAt]: '2026-11-26T12:00:00.000Z', [ANNOTATIONS.reason]: 'plaintext client cut-over', [ANNOTATIONS.previousMode]: 'STRICT' };
    decorate(nodes, 'version', {
      pa: [
        pa('istio-system', 'default', 'STRICT'),
        pa('bookinfo', 'default', 'PERMISSIVE', { annotations: emergency }),
        pa('bookinfo', 'reviews-v3', 'DISABLE', {}, { app: 'reviews', version: 'v3' }),
      ],
      podLabels: indexPods([pod('bookinfo', 'reviews-v3-7d9f-abcde', { app: 'reviews', version: 'v3', 'pod-template-hash': '7d9f' }, 'reviews-v3-7d9f')]).labels,
    });
    const [service, v1, v3, ratings, gateway] = nodes.map((n) => n.decoration);
    expect(service).toMatchObject({ mtlsMode: 'PERMISSIVE', emergency: { revertAt: '2026-11-26T12:00:00.000Z', reason: 'plaintext client cut-over' } });
    expect(v1!.mtlsMode).toBe('PERMISSIVE');
    expect(v3!.mtlsMode).toBe('DISABLE');
    // Another namespace follows the mesh-wide policy and is not under this namespace's emergency.
    expect(ratings).toEqual({ mtlsMode: 'STRICT' });
    expect(gateway!.mtlsMode).toBe('STRICT');
  });

  it('lets a mesh-wide emergency cover namespaces without a mode of their own', () => {
    const nodes = graphNodes();
    const emergency = { [ANNOTATIONS.revertAt]: '2026-11-26T12:00:00.000Z', [ANNOTATIONS.reason]: 'cut-over' };
    decorate(nodes, 'version', { pa: [pa('istio-system', 'default', 'PERMISSIVE', { annotations: emergency }), pa('bookinfo', 'default', 'STRICT')] });
    expect(nodes[0]!.decoration.emergency).toBeUndefined();
    expect(nodes[3]!.decoration.emergency?.reason).toBe('cut-over');
  });

  it('leaves out what was not read', () => {
    const nodes = graphNodes();
    decorate(nodes, 'version', {});
    expect(nodes.map((n) => n.decoration)).toEqual(nodes.map(() => ({})));
  });
});

function pod(namespace: string, name: string, labels: Record<string, string>, replicaSet?: string): PodMeta {
  return { metadata: { namespace, name, labels, ...(replicaSet ? { ownerReferences: [{ kind: 'ReplicaSet', name: replicaSet }] } : {}) } };
}

describe('indexPods', () => {
  it('knows gateways by Istio and Gateway API labels, by workload and canonical name', () => {
    const { gateways } = indexPods([
      pod('edge', 'front-5c7d-x1', { istio: 'ingressgateway', app: 'front-door', 'pod-template-hash': '5c7d' }, 'front-5c7d'),
      pod('shop', 'web-istio-66f-x2', { 'gateway.networking.k8s.io/gateway-name': 'web', 'pod-template-hash': '66f' }, 'web-istio-66f'),
      pod('shop', 'cart-1', { app: 'cart' }),
    ]);
    expect([...gateways].sort()).toEqual(['edge/front', 'edge/front-door', 'shop/web-istio']);
  });
});
