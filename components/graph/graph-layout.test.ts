import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { edgeId, nodeId, type GraphEdge, type GraphNode } from '@/lib/mesh/graph';
import { appBoxId, elkGraph, layoutOf, namespaceBoxId, warmUpGraph, type LayoutGraph } from './graph-layout';

const traffic = { inRps: 0, outRps: 0, errorRatio: 0 };
const node = (kind: GraphNode['kind'], namespace: string, name: string, version?: string): GraphNode => ({
  id: nodeId(kind, namespace, name, version),
  kind,
  namespace,
  name,
  ...(version ? { app: name, version } : {}),
  traffic,
  decoration: {},
});
const edge = (source: GraphNode, target: GraphNode, rps = 1): GraphEdge => ({
  id: edgeId(source.id, target.id, 'http'),
  source: source.id,
  target: target.id,
  protocol: 'http',
  rps,
  errors4xx: 0,
  errors5xx: 0,
  p95: null,
  mtls: 1,
  flags: {},
});

const gateway = node('gateway', 'istio-system', 'ingress');
const cartService = node('service', 'shop', 'cart');
const cartV1 = node('workload', 'shop', 'cart', 'v1');
const cartV2 = node('workload', 'shop', 'cart', 'v2');
const payService = node('service', 'pay', 'pay');
const payV1 = node('workload', 'pay', 'pay', 'v1');
const host = node('external', '', 'api.example.com');
const graph: LayoutGraph = {
  groupBy: 'version',
  nodes: [gateway, cartService, cartV1, cartV2, payService, payV1, host],
  edges: [
    edge(gateway, cartService),
    edge(cartService, cartV1),
    edge(cartService, cartV2),
    edge(cartV1, payService),
    edge(cartV2, payService),
    edge(payService, payV1),
    edge(payV1, host),
  ],
};

describe('elkGraph', () => {
  it('puts services and app columns in namespace boxes, gateways first and external hosts last, edges in the box holding both ends', () => {
    const root = elkGraph(graph);
    const top = root.children!.map((c) => c.id);
    expect(top).toEqual(expect.arrayContaining([gateway.id, host.id, namespaceBoxId('shop'), namespaceBoxId('pay')]));
    expect(root.children!.find((c) => c.id === gateway.id)?.layoutOptions?.['elk.layered.layering.layerConstraint']).toBe('FIRST');
    expect(root.children!.find((c) => c.id === host.id)?.layoutOptions?.['elk.layered.layering.layerConstraint']).toBe('LAST');
    const shop = root.children!.find((c) => c.id === namespaceBoxId('shop'))!;
    expect(shop.children!.map((c) => c.id).sort()).toEqual([appBoxId('shop', 'cart'), cartService.id].sort());
    // Both versions' calls to pay are one call between the boxes; the service's calls to its versions one call to the column.
    expect(shop.edges!.map((e) => [e.sources, e.targets])).toEqual([[[cartService.id], [appBoxId('shop', 'cart')]]]);
    expect(root.edges!.map((e) => `${e.sources[0]}>${e.targets[0]}`).sort()).toEqual(
      [`${gateway.id}>${namespaceBoxId('shop')}`, `${namespaceBoxId('shop')}>${namespaceBoxId('pay')}`, `${namespaceBoxId('pay')}>${host.id}`].sort(),
    );
  });

  it('keeps only the two heaviest top-level calls into a box', () => {
    const callers = ['a', 'b', 'c'].map((ns) => node('service', ns, 'caller'));
    const root = elkGraph({ groupBy: 'app', nodes: [...callers, payService], edges: callers.map((c, i) => edge(c, payService, i + 1)) });
    expect(root.edges!.map((e) => e.sources[0])).toEqual([namespaceBoxId('c'), namespaceBoxId('b')]);
  });
});

describe('layoutOf', () => {
  it('places every node, versions in one column inside their app box, flowing left to right, and sizes the boxes around them', async () => {
    const { nodes: positions, boxes } = layoutOf(await new ELK().layout(elkGraph(graph)), graph);
    expect(Object.keys(positions).sort()).toEqual(graph.nodes.map((n) => n.id).sort());
    const at = (n: GraphNode) => positions[n.id]!;
    expect(at(cartV1).x).toBe(at(cartV2).x);
    expect(at(cartV2).y).toBeGreaterThan(at(cartV1).y);
    expect(at(gateway).x).toBeLessThan(at(cartService).x);
    expect(at(cartService).x).toBeLessThan(at(cartV1).x);
    expect(at(payV1).x).toBeLessThan(at(host).x);
    expect(Object.keys(boxes).sort()).toEqual([appBoxId('pay', 'pay'), appBoxId('shop', 'cart'), namespaceBoxId('pay'), namespaceBoxId('shop')].sort());
    const shop = boxes[namespaceBoxId('shop')]!;
    const column = boxes[appBoxId('shop', 'cart')]!;
    expect(Math.abs(at(cartV1).x - column.x)).toBeLessThan(1);
    expect(column.width).toBeLessThan(shop.width);
    for (const n of [cartService, cartV1, cartV2]) expect(Math.abs(at(n).x - shop.x)).toBeLessThan(shop.width / 2);
  });
});

describe('warmUpGraph', () => {
  it('is a layered graph of namespace boxes ELK can lay out', async () => {
    const laid = await new ELK().layout(warmUpGraph());
    expect(laid.children?.length).toBe(4);
    expect(laid.width).toBeGreaterThan(0);
  });
});
