import { describe, expect, it } from 'vitest';
import { edgeId, nodeId, type GraphEdge, type GraphNode, type MeshGraph } from '@/lib/mesh/graph';
import {
  breakerReading,
  describeFlags,
  edgeFacts,
  mtlsReading,
  nodeErrorRatio,
  nodeTitle,
  policiesSelecting,
  ruleHref,
  splitHref,
  splitRows,
  tracesHref,
  workloadsOfNode,
  type SecurityPolicy,
  type SecurityWorkload,
} from './side-panel-model';

const node = (over: Partial<GraphNode> & Pick<GraphNode, 'kind' | 'name'>): GraphNode => ({
  id: nodeId(over.kind, over.namespace ?? 'shop', over.name, over.version),
  namespace: 'shop',
  traffic: { inRps: 0, outRps: 0, errorRatio: 0 },
  decoration: {},
  ...over,
});
const edge = (source: GraphNode, target: GraphNode, over: Partial<GraphEdge> = {}): GraphEdge => ({
  id: edgeId(source.id, target.id, 'http'),
  source: source.id,
  target: target.id,
  protocol: 'http',
  rps: 10,
  errors4xx: 0,
  errors5xx: 0,
  p95: 12,
  mtls: 1,
  flags: {},
  ...over,
});

const cart = node({
  kind: 'service',
  name: 'cart',
  decoration: {
    weights: [
      { version: 'v1', weight: 90 },
      { version: 'v2', weight: 10 },
    ],
  },
});
const v1 = node({ kind: 'workload', name: 'cart', app: 'cart', version: 'v1' });
const v2 = node({ kind: 'workload', name: 'cart', app: 'cart', version: 'v2' });
const v3 = node({ kind: 'workload', name: 'cart', app: 'cart', version: 'v3' });
const graph: MeshGraph = {
  generatedAt: '2026-11-26T10:00:00Z',
  window: '1m',
  groupBy: 'version',
  namespaces: [],
  nodes: [cart, v1, v2, v3],
  edges: [edge(cart, v1, { share: 0.5 }), edge(cart, v2, { share: 0.45 }), edge(cart, v3, { share: 0.05 })],
  queries: 4,
};

describe('response flags', () => {
  it('explain each flag, busiest first, breakers marked, joined flags each explained', () => {
    const flags = describeFlags({ '-': 5, UT: 0.5, UO: 2, 'UH,URX': 1, ZZ: 0.1, RL: 0 });
    expect(flags.map((f) => [f.flag, f.breaker])).toEqual([
      ['UO', true],
      ['UH,URX', true],
      ['UT', false],
      ['ZZ', false],
    ]);
    expect(flags[0]!.meaning).toMatch(/circuit breaker/);
    expect(flags[1]!.meaning).toMatch(/^no healthy upstream.*; retries exhausted/);
    expect(flags[3]!.meaning).toBe('ZZ: an Envoy response flag this console does not describe');
  });
});

describe('edge facts', () => {
  it('warn on plaintext under 100 % mTLS, and say when no destination proxy reports it', () => {
    expect(mtlsReading({ mtls: 1 })).toEqual({ text: '100% mutual TLS', plaintext: false });
    expect(mtlsReading({ mtls: 0.75 })).toEqual({ text: '75% mutual TLS: 25% of requests are plaintext', plaintext: true });
    expect(mtlsReading({ mtls: null }).plaintext).toBe(false);
  });

  it('give TCP edges in bytes without error or latency lines', () => {
    expect(edgeFacts(edge(v1, v2, { protocol: 'tcp', rps: 0, tcpBytesPerSecond: 2048 })).map((f) => f.term)).toEqual(['Protocol', 'Bytes']);
    expect(edgeFacts(edge(v1, v2, { errors4xx: 0.01, errors5xx: 0.02, p95: null })).slice(2)).toEqual([
      { term: 'Errors', value: '3% (4xx 1%, 5xx 2%)' },
      { term: 'P95', value: 'no latency data' },
    ]);
  });
});

describe('a service split', () => {
  it('puts the declared weights next to the observed shares, versions without a weight included', () => {
    expect(splitRows(graph, cart)).toEqual([
      { version: 'v1', declared: 90, observed: 0.5 },
      { version: 'v2', declared: 10, observed: 0.45 },
      { version: 'v3', declared: null, observed: 0.05 },
    ]);
  });
});

describe('breakers', () => {
  it('read configured and tripped from the decoration and the UO/UH rates', () => {
    const quiet = breakerReading(node({ kind: 'service', name: 'a', decoration: { breaker: { connectionPool: true, outlierDetection: false } } }), null);
    expect(quiet).toMatchObject({ configured: 'Configured: connection pool limits', tripped: false });
    const tripped = breakerReading(node({ kind: 'service', name: 'a', tripped: { uo: 0, uh: 3 }, decoration: {} }), 2);
    expect(tripped.tripped).toBe(true);
    expect(tripped.configured).toMatch(/^No circuit breaker configured/);
    expect(tripped.evidence).toBe('UH 3/s: no healthy upstream, hosts ejected; 2 hosts ejected now');
  });
});

describe('links', () => {
  it('open the split, the rule and the traces of a version (errors only when it fails)', () => {
    expect(splitHref('shop/cart-split', 'x')).toBe('/traffic?namespace=shop&routes.q=cart-split');
    expect(ruleHref('cart', 'shop')).toBe('/resilience?namespace=shop&rules.q=cart&rule=shop%2Fcart');
    const href = new URL(tracesHref(v2, '15m', true)!, 'http://x');
    expect(Object.fromEntries(href.searchParams)).toEqual({
      namespace: 'shop',
      service: 'cart.shop',
      lookback: '15m',
      tags: JSON.stringify({ 'istio.canonical_revision': 'v2', error: 'true' }),
    });
    expect(tracesHref(node({ kind: 'unknown', name: 'unknown', namespace: '' }), '15m', false)).toBeUndefined();
  });

  it('title a node by kind, namespace, name and version', () => {
    expect(nodeTitle(v2, 'version')).toBe('App version shop/cart v2');
    expect(nodeTitle(cart, 'version')).toBe('Service shop/cart');
    expect(nodeTitle(node({ kind: 'unknown', name: 'unknown', namespace: '' }), 'version')).toBe('Callers outside the mesh');
  });
});

describe('authorization policies of a node', () => {
  const workload = (name: string, labels: Record<string, string>): SecurityWorkload => ({
    workload: { namespace: 'shop', name, labels },
    mode: { mode: 'STRICT', source: 'x' },
  });
  const workloads = [workload('cart-v1', { app: 'cart', version: 'v1' }), workload('cart-v2', { app: 'cart', version: 'v2' }), workload('web', { app: 'web' })];
  const policy = (namespace: string, name: string, selector?: SecurityPolicy['selector']): SecurityPolicy => ({
    namespace,
    name,
    action: 'ALLOW',
    workloads: '',
    selector,
    rules: [],
  });
  const policies = [
    policy('shop', 'all-of-shop', {}),
    policy('shop', 'cart-v2-only', { matchLabels: { app: 'cart', version: 'v2' } }),
    policy('shop', 'web-only', { matchLabels: { app: 'web' } }),
    policy('istio-system', 'mesh-wide', {}),
    policy('other', 'elsewhere', {}),
  ];

  it('finds the Deployments of a version, of an app, and of a workload', () => {
    expect(workloadsOfNode(v2, 'version', workloads).map((w) => w.workload.name)).toEqual(['cart-v2']);
    expect(workloadsOfNode(node({ kind: 'workload', name: 'cart' }), 'app', workloads).map((w) => w.workload.name)).toEqual(['cart-v1', 'cart-v2']);
    expect(workloadsOfNode(node({ kind: 'workload', name: 'web' }), 'workload', workloads).map((w) => w.workload.name)).toEqual(['web']);
  });

  it('keeps the policies whose selector picks them, the namespace-wide and the mesh root ones', () => {
    const names = (n: GraphNode) => policiesSelecting(n, workloadsOfNode(n, 'version', workloads), policies, 'istio-system').map((p) => p.name);
    expect(names(v1)).toEqual(['all-of-shop', 'mesh-wide']);
    expect(names(v2)).toEqual(['all-of-shop', 'cart-v2-only', 'mesh-wide']);
    expect(names(node({ kind: 'workload', name: 'gone', app: 'gone', version: 'v1' }))).toEqual(['all-of-shop', 'mesh-wide']);
  });
});

describe('a node error share', () => {
  it('reads requests into it, or out of it for nodes that only call out', () => {
    const gateway = node({ kind: 'gateway', name: 'gw', traffic: { inRps: 0, outRps: 30, errorRatio: 0 } });
    const g: MeshGraph = {
      ...graph,
      nodes: [gateway, cart],
      edges: [edge(gateway, cart, { rps: 10, errors5xx: 0.3 }), edge(gateway, v1, { rps: 20, errors4xx: 0 })],
    };
    expect(nodeErrorRatio(g, gateway)).toBeCloseTo(0.1);
    expect(nodeErrorRatio(g, { ...cart, traffic: { inRps: 10, outRps: 0, errorRatio: 0.3 } })).toBe(0.3);
  });
});

describe('groupings other than by version', () => {
  it('name a workload without the version label it carries, and show no observed shares for an app', () => {
    const workload = { ...node({ kind: 'workload', name: 'cart-v2' }), app: 'cart', version: 'v2' };
    expect(nodeTitle(workload, 'workload')).toBe('Workload shop/cart-v2');
    const app = node({ kind: 'workload', name: 'cart', app: 'cart' });
    const byApp: MeshGraph = { ...graph, groupBy: 'app', nodes: [cart, app], edges: [edge(cart, app, { share: 1 })] };
    expect(splitRows(byApp, cart)).toEqual([
      { version: 'v1', declared: 90, observed: null },
      { version: 'v2', declared: 10, observed: null },
    ]);
  });
});
