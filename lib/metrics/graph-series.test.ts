// The graph side panel's series: which labels select a node or an edge, and one range query per chart set.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { edgeId, nodeId, parseEdgeId, parseNodeId } from '@/lib/mesh/graph';
import type { Series } from './prometheus';

const prometheus = vi.hoisted(() => ({ queries: [] as string[], answer: [] as Series[] }));
vi.mock('./prometheus', () => ({
  rangeQuery: async (q: string) => (prometheus.queries.push(q), prometheus.answer),
}));
const { graphSeries, graphSeriesQuery, nodeMatchers, scopeNamespace, seriesScope } = await import('./graph-series');

const v2 = nodeId('workload', 'shop', 'cart', 'v2');
const cart = nodeId('service', 'shop', 'cart');
const web = nodeId('workload', 'shop', 'web', 'v1');
const outside = nodeId('unknown', '', 'unknown');
const host = nodeId('external', '', 'api.example.com');
const gateway = nodeId('gateway', 'istio-system', 'istio-ingressgateway');

beforeEach(() => {
  prometheus.queries.length = 0;
  prometheus.answer = [];
});

describe('graph ids', () => {
  it('read node and edge ids back', () => {
    expect(parseNodeId(v2)).toEqual({ kind: 'workload', namespace: 'shop', name: 'cart', version: 'v2' });
    expect(parseNodeId(outside)).toEqual({ kind: 'unknown', namespace: '', name: 'unknown' });
    expect(parseEdgeId(edgeId(cart, v2, 'grpc'))).toEqual({ source: parseNodeId(cart), target: parseNodeId(v2), protocol: 'grpc' });
    for (const bad of ['', 'pod|a|b|', 'workload|a||', `${cart}->${v2}|udp`, `${cart}|http`]) {
      expect(parseNodeId(bad) ?? parseEdgeId(bad)).toBeUndefined();
    }
  });
});

describe('graph series scopes', () => {
  it('select an app version by its canonical labels, else by app and version', () => {
    expect(nodeMatchers(parseNodeId(v2)!, 'destination', 'version')).toEqual([
      ['destination_workload_namespace="shop"', 'destination_canonical_service="cart"', 'destination_canonical_revision="v2"'],
      ['destination_workload_namespace="shop"', 'destination_canonical_service=""', 'destination_app="cart"', 'destination_version="v2"'],
    ]);
    expect(nodeMatchers(parseNodeId(nodeId('workload', 'shop', 'cart-v2'))!, 'source', 'workload')).toEqual([
      ['source_workload_namespace="shop"', 'source_workload="cart-v2"'],
    ]);
  });

  it('read a service → version edge as the service requests that version served', () => {
    const scope = seriesScope(edgeId(cart, v2, 'http'), 'version')!;
    expect(scope.alternatives).toEqual(
      nodeMatchers(parseNodeId(v2)!, 'destination', 'version').map((alt) => [
        'destination_service_namespace="shop"',
        'destination_service_name="cart"',
        ...alt,
      ]),
    );
  });

  it('select gateways by workload, hosts outside the mesh by destination_service, callers outside it by their missing workload', () => {
    expect(seriesScope(gateway, 'version')).toEqual({
      alternatives: [['source_workload_namespace="istio-system"', 'source_workload="istio-ingressgateway"']],
      describes: 'outbound',
    });
    expect(seriesScope(host, 'version')).toEqual({ alternatives: [['destination_service="api.example.com"']], describes: 'inbound' });
    expect(seriesScope(outside, 'version')).toEqual({ alternatives: [['source_workload=~"unknown|"']], describes: 'outbound' });
    expect(seriesScope('not an id', 'version')).toBeUndefined();
  });

  it('gate by the destination namespace, else the source one', () => {
    expect(scopeNamespace(edgeId(outside, cart, 'http'))).toBe('shop');
    expect(scopeNamespace(edgeId(web, host, 'http'))).toBe('shop');
    expect(scopeNamespace(host)).toBeUndefined();
  });
});

describe('graph series query', () => {
  it('batches rate, 4xx, 5xx and P50/P95/P99 into one expression, the alternatives OR-ed inside each sum', () => {
    const query = graphSeriesQuery(seriesScope(edgeId(web, cart, 'http'), 'version')!, '1m');
    for (const part of ['rps', '4xx', '5xx', 'p50', 'p95', 'p99']) expect(query).toContain(`"kpi", "${part}"`);
    expect(query).toContain('response_code=~"4.."');
    expect(query).toContain(
      'histogram_quantile(0.95, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",source_workload_namespace="shop"',
    );
    expect(query).toMatch(/^label_replace\(sum \(rate\(istio_requests_total\{[^}]*source_canonical_service="web"[^}]*\}\[1m\]\) or rate/);
    expect(query).toContain('source_app="web"');
  });

  it('counts each call once, as the graph does: the destination report, else the source one', () => {
    const query = graphSeriesQuery({ alternatives: [['a="b"']], describes: 'inbound' }, '1m');
    expect(query).toContain(
      'sum (rate(istio_requests_total{reporter="destination",a="b"}[1m]) or rate(istio_requests_total{reporter="source",a="b",destination_workload="unknown"}[1m]))',
    );
    // 5xx: the source's 503s of calls no workload answered (UO, UH) count; a call a workload answered counts from its destination's report.
    expect(query).toContain('rate(istio_requests_total{reporter="source",a="b",destination_workload="unknown",response_code=~"5.."}[1m])');
  });

  it('reads TCP edges as bytes sent and received', () => {
    const query = graphSeriesQuery(seriesScope(edgeId(web, cart, 'tcp'), 'version')!, '1m');
    expect(query).toContain('istio_tcp_sent_bytes_total');
    expect(query).toContain('istio_tcp_received_bytes_total');
    expect(query).not.toContain('istio_requests_total');
  });

  it('answers a chart set with a single range query, split back into its charts', async () => {
    const s = (kpi: string): Series => ({ metric: { kpi }, values: [[100, 1]] });
    prometheus.answer = ['rps', '4xx', '5xx', 'p50', 'p95', 'p99'].map(s);
    const charts = await graphSeries(seriesScope(v2, 'version')!, 900, 10_000);
    expect(prometheus.queries).toHaveLength(1);
    expect(charts).toMatchObject({ window: '1m', start: 9_100, end: 10_000, unit: 'rps', describes: 'inbound' });
    expect(charts.rate.map((x) => x.metric.kpi)).toEqual(['rps']);
    expect(charts.errors.map((x) => x.metric.kpi)).toEqual(['4xx', '5xx']);
    expect(charts.latency.map((x) => x.metric.kpi)).toEqual(['p50', 'p95', 'p99']);
  });
});
