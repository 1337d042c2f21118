// The service graph on the seed mesh: the sandbox's Kubernetes API and traffic, scraped by a
// real Prometheus. Every edge's rate agrees with PromQL written by hand for that edge, the
// whole graph takes at most 4 queries, and each outside system failing degrades as it should.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../e2e/processes.ts';
import { startPrometheus } from '../../sandbox/prometheus.ts';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing.ts';
import { loadScenario } from '../../sandbox/traffic/scenario.ts';
import type { GraphEdge, GraphNode, MeshGraph } from '../mesh/graph.ts';
import { instantQueryAt } from '../metrics/prometheus.ts';
import { pointAtKubeconfig } from './fake-api';

// Every PromQL query the graph issues goes through instantQueryAt: counted here, passed on as is.
vi.mock('../metrics/prometheus.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../metrics/prometheus.ts')>();
  return { ...real, instantQueryAt: vi.fn(real.instantQueryAt) };
});

const NS = 'ai-nutritionist';
const SERVICES = ['ai-coach-service', 'health-tracking-service', 'messaging-service', 'nutrition-service', 'payment-service'];

let sandbox: TestSandbox;
let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
let restore: () => void;

beforeAll(async () => {
  sandbox = await startTestSandbox({ traffic: { scenario: loadScenario(), port: 0 } });
  restore = pointAtKubeconfig(sandbox.kubeconfig, { MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard' });
  prometheus = await startPrometheus({
    dir: mkdtempSync(join(tmpdir(), 'meshdeck-graph-prom-')),
    target: new URL(sandbox.trafficUrl!).host,
    port: await freePort(),
    scrapeInterval: '1s',
  });
  process.env.MESHDECK_PROMETHEUS_URL = prometheus.url;
  // Enough scrapes for 1-minute rates.
  await new Promise((r) => setTimeout(r, 12_000));
}, 90_000);

afterAll(async () => {
  restore?.();
  await prometheus?.stop();
  await sandbox?.stop();
}, 30_000);

/** A query at the graph's own instant. */
const direct = async (expr: string, at: string) => {
  const r = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${Date.parse(at) / 1000}`);
  const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
  return body.data.result.reduce((sum, s) => sum + Number(s.value[1]), 0);
};

/** The matchers that pick a node's side of a call, by the labels the seed's series carry (app/version). */
function matchers(node: GraphNode, side: 'source' | 'destination'): string[] {
  if (node.kind === 'unknown') return [`${side}_workload="unknown"`];
  if (node.kind === 'gateway') return [`${side}_workload_namespace="${node.namespace}"`, `${side}_workload="${node.name}"`];
  if (node.kind === 'service') return [`destination_service="${node.host}"`];
  return [`${side}_workload_namespace="${node.namespace}"`, `${side}_app="${node.app}"`, `${side}_version="${node.version}"`];
}

/** Requests/s of one edge written by hand: the destination's report, plus calls only the source reported (no workload answered). */
function edgeQuery(edge: GraphEdge, nodes: Map<string, GraphNode>): string {
  const source = nodes.get(edge.source)!;
  const target = nodes.get(edge.target)!;
  const into = source.kind === 'service' ? [...matchers(source, 'destination'), ...matchers(target, 'destination')] : [...matchers(source, 'source'), ...matchers(target, 'destination')];
  const sel = (extra: string) => `{${[extra, ...into].join(',')}}`;
  return `sum(rate(istio_requests_total${sel('reporter="destination"')}[1m])) + (sum(rate(istio_requests_total${sel('reporter="source",destination_workload="unknown"')}[1m])) or vector(0))`;
}

describe('the service graph on the seed mesh', () => {
  let graph: MeshGraph;

  it('draws the gateway, the five services and their edges with at most 4 queries', async () => {
    const { meshGraph } = await import('./graph');
    vi.mocked(instantQueryAt).mockClear();
    graph = await meshGraph({ namespaces: [NS], window: '1m', groupBy: 'version' });
    expect(vi.mocked(instantQueryAt).mock.calls.length).toBeLessThanOrEqual(4);
    expect(graph.queries).toBe(vi.mocked(instantQueryAt).mock.calls.length);
    expect(graph.nodes.find((n) => n.kind === 'gateway')).toMatchObject({ namespace: 'istio-system', name: 'istio-ingressgateway' });
    expect(graph.nodes.filter((n) => n.kind === 'service').map((n) => n.name)).toEqual(expect.arrayContaining(SERVICES));
    expect(graph.edges.length).toBeGreaterThan(10);
    // The gateway's edge into each service carries traffic (a version at 0 % may have none in the window).
    const gateway = graph.nodes.find((n) => n.kind === 'gateway')!;
    const entries = graph.edges.filter((e) => e.source === gateway.id);
    expect(entries).toHaveLength(SERVICES.length);
    expect(entries.every((e) => e.rps > 0)).toBe(true);
    // The canary split as served, out of the service whose VirtualService splits it.
    const nutrition = graph.nodes.find((n) => n.kind === 'service' && n.name === 'nutrition-service')!;
    const split = graph.edges.filter((e) => e.source === nutrition.id);
    expect(split.map((e) => e.share!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(nutrition.decoration.virtualServices?.length).toBeGreaterThan(0);
    expect(nutrition.decoration.weights?.map((w) => w.version)).toEqual(expect.arrayContaining(['stable', 'canary']));
    expect(nutrition.decoration.mtlsMode).toBeDefined();
    expect(graph.edges.filter((e) => e.target === nutrition.id).every((e) => e.mtls === 1)).toBe(true);
    expect(graph.degraded?.decoration).toBeUndefined();
    // P95 on every edge with traffic, unless the histograms came in after the rates (they are read alongside).
    if (!graph.degraded?.latency) expect(graph.edges.filter((e) => e.rps > 0 && e.p95 === null)).toEqual([]);
    // Nothing here started the analysis, and the graph never does.
    expect(graph.degraded?.findings).toMatch(/not running/);
  }, 30_000);

  it("agrees with each edge's own PromQL within 2%", async () => {
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    for (const edge of graph.edges) {
      const expected = await direct(edgeQuery(edge, nodes), graph.generatedAt);
      expect(Math.abs(edge.rps - expected), `${edge.id}: graph ${edge.rps}, PromQL ${expected}`).toBeLessThanOrEqual(0.02 * expected);
    }
  }, 30_000);

  it('is still drawn from Prometheus when the Kubernetes API cannot be read, and says so', async () => {
    const { meshGraph } = await import('./graph');
    const undo = pointAtKubeconfig(join(tmpdir(), 'no-such-kubeconfig'));
    try {
      const bare = await meshGraph({ namespaces: [], window: '1m', groupBy: 'app' });
      expect(bare.nodes.find((n) => n.kind === 'gateway')?.name).toBe('istio-ingressgateway');
      expect(bare.edges.length).toBeGreaterThan(0);
      expect(bare.degraded?.decoration).toMatch(/^Drawn from Prometheus alone.*VirtualServices \(routes, split weights\): .*kubeconfig/);
      expect(bare.nodes.every((n) => !n.decoration.virtualServices)).toBe(true);
    } finally {
      undo();
      restore = pointAtKubeconfig(sandbox.kubeconfig, { MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard' });
    }
  }, 30_000);

  it('does not wait on a Kubernetes API that never answers', async () => {
    const { meshGraph } = await import('./graph');
    // Accepts connections and says nothing: the TLS handshake never ends.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'meshdeck-graph-kube-')), 'kubeconfig');
    writeFileSync(kubeconfig, readFileSync(sandbox.kubeconfig, 'utf8').replace(/server: \S+/g, `server: https://127.0.0.1:${(silent.address() as AddressInfo).port}`));
    const undo = pointAtKubeconfig(kubeconfig);
    try {
      const started = Date.now();
      const bare = await meshGraph({ namespaces: [NS], window: '5m', groupBy: 'version' });
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(bare.edges.length).toBeGreaterThan(0);
      expect(bare.degraded?.decoration).toMatch(/did not answer within 3 s/);
    } finally {
      undo();
      silent.close();
      restore = pointAtKubeconfig(sandbox.kubeconfig, { MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard' });
    }
  }, 30_000);

  it('fails with a clear 503 when Prometheus is down', async () => {
    const { meshGraph } = await import('./graph');
    const saved = process.env.MESHDECK_PROMETHEUS_URL;
    process.env.MESHDECK_PROMETHEUS_URL = `http://127.0.0.1:${await freePort()}`;
    try {
      // A window no earlier test read: readings are shared for a few seconds (lib/metrics/graph.ts).
      await expect(meshGraph({ namespaces: [], window: '30s', groupBy: 'version' })).rejects.toMatchObject({
        status: 503,
        message: expect.stringMatching(/^The graph is drawn from Prometheus' Istio metrics: Prometheus at .* is unreachable/),
      });
    } finally {
      process.env.MESHDECK_PROMETHEUS_URL = saved;
    }
  });

  it('counts the findings on a service and its own routing objects once the analysis runs', async () => {
    const { meshGraph } = await import('./graph');
    const { clusterAnalysis } = await import('./analysis');
    const analysis = await clusterAnalysis();
    const drawn = await meshGraph({ namespaces: [NS], window: '1m', groupBy: 'version' });
    expect(drawn.degraded?.findings).toBeUndefined();
    const service = drawn.nodes.find((n) => n.kind === 'service' && n.name === 'ai-coach-service')!;
    const own = new Set([`Service/${service.name}`, ...(service.decoration.virtualServices ?? []), ...(service.decoration.destinationRules ?? [])].map((ref) => ref.split('/').pop()));
    const expected = analysis.findings().filter((f) => f.origin.namespace === NS && own.has(f.origin.name) && ['Service', 'VirtualService', 'DestinationRule'].includes(f.origin.kind));
    expect(service.decoration.findings).toEqual({
      error: expected.filter((f) => f.level === 'Error').length,
      warning: expected.filter((f) => f.level === 'Warning').length,
      info: expected.filter((f) => f.level === 'Info').length,
    });
    expect(expected.length).toBeGreaterThan(0);
  }, 60_000);
});
