import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeId, type GraphEdge, type GroupBy } from './graph';
import { buildGraph, type GraphSamples, type MetricSample } from './graph-build';

// Hand-written telemetry, as Istio's proxies report it, for meshes unlike the seed's: bookinfo,
// a ServiceEntry host, a caller without sidecar, a TCP database.

interface Workload {
  namespace: string;
  workload: string;
  app: string;
  version: string;
}
type Labels = 'canonical' | 'app';
interface Call {
  from?: Workload; // undefined: a caller without sidecar
  service: string; // host
  to?: Workload; // undefined: no workload answered (external host, overflow)
  rps: number;
  reporters: ('source' | 'destination')[];
  e4?: number;
  e5?: number;
  flags?: Record<string, number>;
  mtls?: boolean;
  protocol?: 'http' | 'grpc' | 'tcp';
  p95?: { source?: number; destination?: number };
}

const wl = (namespace: string, app: string, version: string, workload = `${app}-${version}`): Workload => ({ namespace, workload, app, version });
const side = (prefix: 'source' | 'destination', w: Workload | undefined, labels: Labels): Record<string, string> => {
  if (!w)
    return { [`${prefix}_workload`]: 'unknown', [`${prefix}_workload_namespace`]: 'unknown', [`${prefix}_app`]: 'unknown', [`${prefix}_version`]: 'unknown' };
  return {
    [`${prefix}_workload_namespace`]: w.namespace,
    [`${prefix}_workload`]: w.workload,
    ...(labels === 'canonical'
      ? { [`${prefix}_canonical_service`]: w.app, [`${prefix}_canonical_revision`]: w.version, [`${prefix}_app`]: w.app, [`${prefix}_version`]: w.version }
      : { [`${prefix}_app`]: w.app, [`${prefix}_version`]: w.version }),
  };
};
const serviceLabels = (host: string) => {
  const inCluster = host.endsWith('.svc.cluster.local');
  return {
    destination_service: host,
    destination_service_name: inCluster ? host.split('.')[0]! : host,
    destination_service_namespace: inCluster ? host.split('.')[1]! : 'unknown',
  };
};

/** The parts of the graph's queries for these calls, as Prometheus would answer them. */
function samplesOf(calls: Call[], labels: Labels = 'canonical'): GraphSamples {
  const out: GraphSamples = { requests: [], errors4xx: [], errors5xx: [], flags: [], latencyIn: [], latencyOut: [], tcp: [] };
  for (const c of calls) {
    for (const reporter of c.reporters) {
      const base = { reporter, ...side('source', c.from, labels), ...serviceLabels(c.service), ...side('destination', c.to, labels) };
      const csp = reporter === 'destination' ? (c.mtls === false ? 'none' : 'mutual_tls') : 'unknown';
      if (c.protocol === 'tcp') {
        out.tcp.push({ metric: { ...base, connection_security_policy: csp }, value: c.rps });
        continue;
      }
      const m = { ...base, request_protocol: c.protocol ?? 'http' };
      out.requests.push({ metric: { ...m, connection_security_policy: csp }, value: c.rps });
      if (c.e4) out.errors4xx.push({ metric: m, value: c.e4 });
      if (c.e5) out.errors5xx.push({ metric: m, value: c.e5 });
      for (const [flag, value] of Object.entries(c.flags ?? {})) out.flags.push({ metric: { ...m, response_flags: flag }, value });
      const p95 = c.p95?.[reporter];
      if (p95 !== undefined) {
        const pick = (keep: string[]) =>
          Object.fromEntries(Object.entries(m).filter(([k]) => keep.some((p) => k.startsWith(p)) || k === 'reporter' || k === 'request_protocol'));
        out.latencyIn.push({ metric: pick(['source_', 'destination_service']), value: p95 });
        if (c.to) out.latencyOut.push({ metric: pick(['destination_']), value: p95 });
      }
    }
  }
  return out;
}

const both: Call['reporters'] = ['source', 'destination'];
const gateway = wl('istio-system', 'istio-ingressgateway', 'latest', 'istio-ingressgateway');
const productpage = wl('bookinfo', 'productpage', 'v1');
const [reviews1, reviews2, reviews3] = ['v1', 'v2', 'v3'].map((v) => wl('bookinfo', 'reviews', v));
const ratings = wl('bookinfo', 'ratings', 'v1');
const details = wl('bookinfo', 'details', 'v1');
const mysql = wl('bookinfo', 'mysqldb', 'v1');
const host = (name: string) => `${name}.bookinfo.svc.cluster.local`;
const EXTERNAL = 'api.books.example.com';

const BOOKINFO: Call[] = [
  { from: gateway, service: host('productpage'), to: productpage, rps: 100, reporters: both, p95: { source: 90, destination: 80 } },
  // A client without sidecar: only the destination reports it, over plaintext.
  { service: host('productpage'), to: productpage, rps: 10, reporters: ['destination'], mtls: false },
  { from: productpage, service: host('reviews'), to: reviews1, rps: 30, reporters: both, e4: 3 },
  { from: productpage, service: host('reviews'), to: reviews2, rps: 30, reporters: both, p95: { destination: 40 } },
  { from: productpage, service: host('reviews'), to: reviews3, rps: 40, reporters: both, e5: 4, flags: { URX: 1 }, p95: { destination: 60 } },
  // The caller's proxy refused these (connection pool overflow): no workload answered.
  { from: productpage, service: host('reviews'), rps: 3, reporters: ['source'], e5: 3, flags: { UO: 3 } },
  { from: productpage, service: host('details'), to: details, rps: 100, reporters: both, e5: 5 },
  { from: reviews2, service: host('ratings'), to: ratings, rps: 30, reporters: both },
  { from: reviews3, service: host('ratings'), to: ratings, rps: 40, reporters: both },
  // A ServiceEntry host: only the caller's proxy reports.
  { from: reviews3, service: EXTERNAL, rps: 2, reporters: ['source'], p95: { source: 250 } },
  { from: ratings, service: host('mysqldb'), to: mysql, rps: 5000, reporters: both, protocol: 'tcp' },
];

const find = <T extends { id: string }>(list: T[], id: string) => {
  const found = list.find((x) => x.id === id);
  if (!found) throw new Error(`no ${id} among ${list.map((x) => x.id).join(', ')}`);
  return found;
};
const edgeBetween = (edges: GraphEdge[], source: string, target: string, protocol = 'http') => find(edges, `${source}->${target}|${protocol}`);

const GW = nodeId('gateway', 'istio-system', 'istio-ingressgateway');
const UNKNOWN = nodeId('unknown', '', 'unknown');
const svc = (name: string) => nodeId('service', 'bookinfo', name);
const ver = (app: string, version: string) => nodeId('workload', 'bookinfo', app, version);

describe('buildGraph, versioned app (the default)', () => {
  const { nodes, edges } = buildGraph(samplesOf(BOOKINFO), 'version', { serviceEntryHosts: new Set([EXTERNAL]) });

  it('draws callers, services and the versions behind them', () => {
    expect(nodes.map((n) => n.id)).toEqual(
      [
        GW,
        UNKNOWN,
        nodeId('external', '', EXTERNAL),
        ...['productpage', 'reviews', 'ratings', 'details', 'mysqldb'].map(svc),
        ver('productpage', 'v1'),
        ver('reviews', 'v1'),
        ver('reviews', 'v2'),
        ver('reviews', 'v3'),
        ver('ratings', 'v1'),
        ver('details', 'v1'),
        ver('mysqldb', 'v1'),
      ].sort(),
    );
    expect(find(nodes, ver('reviews', 'v2'))).toMatchObject({ kind: 'workload', namespace: 'bookinfo', name: 'reviews', app: 'reviews', version: 'v2' });
    expect(find(nodes, svc('reviews'))).toMatchObject({ kind: 'service', host: host('reviews') });
    expect(find(nodes, nodeId('external', '', EXTERNAL))).toMatchObject({ kind: 'external', namespace: '', host: EXTERNAL });
  });

  it('counts a call both proxies reported once, from the destination', () => {
    const e = edgeBetween(edges, GW, svc('productpage'));
    expect(e.rps).toBe(100);
    expect(e.mtls).toBe(1);
    expect(e.p95).toBe(80);
    expect(edgeBetween(edges, svc('productpage'), ver('productpage', 'v1')).rps).toBe(110);
  });

  it('shows a caller without sidecar as unknown, and its plaintext', () => {
    expect(edgeBetween(edges, UNKNOWN, svc('productpage'))).toMatchObject({ rps: 10, mtls: 0 });
    expect(find(nodes, svc('productpage')).traffic.inRps).toBe(110);
  });

  it('splits a service by the real shares of its versions', () => {
    const shares = ['v1', 'v2', 'v3'].map((v) => edgeBetween(edges, svc('reviews'), ver('reviews', v)).share);
    expect(shares).toEqual([0.3, 0.3, 0.4]);
    expect(edgeBetween(edges, ver('productpage', 'v1'), svc('reviews')).share).toBeUndefined();
  });

  it('keeps overflows on the call into the service and marks its breaker tripped', () => {
    const into = edgeBetween(edges, ver('productpage', 'v1'), svc('reviews'));
    expect(into.rps).toBe(103);
    expect(into.flags).toEqual({ UO: 3, URX: 1 });
    expect(into.errors5xx).toBeCloseTo(7 / 103, 12);
    expect(into.errors4xx).toBeCloseTo(3 / 103, 12);
    expect(find(nodes, svc('reviews')).tripped).toEqual({ uo: 3, uh: 0 });
    expect(find(nodes, svc('reviews')).traffic).toMatchObject({ inRps: 103, outRps: 100 });
    expect(find(nodes, svc('details')).tripped).toBeUndefined();
    expect(edgeBetween(edges, svc('reviews'), ver('reviews', 'v3')).flags).toEqual({ URX: 1 });
  });

  it('draws a ServiceEntry host as external, from the source report, with no mTLS reading', () => {
    expect(edgeBetween(edges, ver('reviews', 'v3'), nodeId('external', '', EXTERNAL))).toMatchObject({ rps: 2, mtls: null, p95: 250 });
  });

  it('draws TCP calls with bytes, not requests', () => {
    const e = edgeBetween(edges, ver('ratings', 'v1'), svc('mysqldb'), 'tcp');
    expect(e).toMatchObject({ rps: 0, tcpBytesPerSecond: 5000, mtls: 1, p95: null });
    expect(e.share).toBeUndefined();
    expect(edgeBetween(edges, svc('mysqldb'), ver('mysqldb', 'v1'), 'tcp').share).toBe(1);
  });

  it('takes P95 per service and version from the callee part', () => {
    expect(edgeBetween(edges, svc('reviews'), ver('reviews', 'v3')).p95).toBe(60);
    expect(edgeBetween(edges, svc('reviews'), ver('reviews', 'v1')).p95).toBeNull();
  });

  it('node traffic sums its edges and its error share is of what comes in', () => {
    const details = find(nodes, ver('details', 'v1'));
    expect(details.traffic).toEqual({ inRps: 100, outRps: 0, errorRatio: 0.05 });
    expect(find(nodes, ver('productpage', 'v1')).traffic.outRps).toBe(203);
  });

  it('gives the same ids from app/version labels alone (meshes without canonical labels)', () => {
    const plain = buildGraph(samplesOf(BOOKINFO, 'app'), 'version', { serviceEntryHosts: new Set([EXTERNAL]) });
    expect(plain.nodes.map((n) => n.id)).toEqual(nodes.map((n) => n.id));
    expect(plain.edges).toEqual(edges);
  });
});

describe('buildGraph, other groupings', () => {
  const samples = samplesOf(BOOKINFO);

  it('app: one node per app, the split toward it whole', () => {
    const { nodes, edges } = buildGraph(samples, 'app');
    const reviews = nodeId('workload', 'bookinfo', 'reviews');
    expect(find(nodes, reviews)).toMatchObject({ app: 'reviews' });
    expect(find(nodes, reviews).version).toBeUndefined();
    expect(edgeBetween(edges, svc('reviews'), reviews)).toMatchObject({ rps: 100, share: 1, p95: 60 });
    expect(edgeBetween(edges, reviews, svc('ratings')).rps).toBe(70);
  });

  it('workload: one node per workload, named by it', () => {
    const { nodes, edges } = buildGraph(samples, 'workload');
    const r2 = nodeId('workload', 'bookinfo', 'reviews-v2');
    expect(find(nodes, r2)).toMatchObject({ name: 'reviews-v2', app: 'reviews', version: 'v2' });
    expect(edgeBetween(edges, svc('reviews'), r2).share).toBe(0.3);
  });

  it('service: services call services, no versions', () => {
    const { nodes, edges } = buildGraph(samples, 'service', { serviceEntryHosts: new Set([EXTERNAL]) });
    expect(nodes.every((n) => n.kind !== 'workload')).toBe(true);
    expect(edgeBetween(edges, svc('reviews'), svc('ratings')).rps).toBe(70);
    expect(edgeBetween(edges, svc('productpage'), svc('reviews')).rps).toBe(103);
    expect(edgeBetween(edges, svc('reviews'), nodeId('external', '', EXTERNAL)).rps).toBe(2);
    expect(edges.some((e) => e.share !== undefined)).toBe(false);
  });

  it('knows gateways from the caches when their names do not tell', () => {
    const front = wl('edge', 'front', 'v1', 'front');
    const s = samplesOf([{ from: front, service: host('productpage'), to: productpage, rps: 1, reporters: both }]);
    expect(buildGraph(s, 'version').nodes.map((n) => n.kind)).not.toContain('gateway');
    expect(buildGraph(s, 'version', { gateways: new Set(['edge/front']) }).nodes.find((n) => n.kind === 'gateway')?.id).toBe(
      nodeId('gateway', 'edge', 'front'),
    );
  });

  it('a host outside the cluster domain is external even without a ServiceEntry; one with a destination proxy is not', () => {
    const s = samplesOf([
      { from: productpage, service: 'payments.example.org', rps: 1, reporters: ['source'] },
      { from: productpage, service: 'legacy.example.org', to: wl('vm', 'legacy', 'v1'), rps: 1, reporters: both },
    ]);
    const kinds = Object.fromEntries(buildGraph(s, 'version').nodes.map((n) => [n.name, n.kind]));
    expect(kinds['payments.example.org']).toBe('external');
    expect(kinds['legacy.example.org']).toBe('service');
  });

  it('"latest" when a workload has neither canonical revision nor version label', () => {
    const m: MetricSample = {
      metric: {
        reporter: 'destination',
        source_workload: 'unknown',
        ...serviceLabels(host('a')),
        destination_workload: 'a',
        destination_workload_namespace: 'bookinfo',
        request_protocol: 'http',
      },
      value: 1,
    };
    const { nodes } = buildGraph({ ...samplesOf([]), requests: [m] }, 'version');
    expect(nodes.map((n) => n.id)).toContain(ver('a', 'latest'));
  });
});

// ---- Properties, on random meshes ----

const workloadArb = fc.record({
  namespace: fc.constantFrom('shop', 'media', 'edge'),
  app: fc.constantFrom('cart', 'search', 'users', 'frontend', 'store'),
  version: fc.constantFrom('v1', 'v2', 'canary', 'stable'),
});
const callArb: fc.Arbitrary<Call> = fc
  .record({
    from: fc.option(workloadArb, { nil: undefined }),
    to: workloadArb,
    answered: fc.boolean(),
    rps: fc.double({ min: 0.01, max: 1000, noNaN: true }),
    reporters: fc.constantFrom<Call['reporters']>(['source'], ['destination'], both),
    errors: fc.double({ min: 0, max: 1, noNaN: true }),
    protocol: fc.constantFrom<Call['protocol']>('http', 'grpc', 'tcp'),
  })
  .map(({ from, to, answered: reached, rps, reporters, errors, protocol }) => {
    // A caller without sidecar reaches a workload and is reported by it alone; a request no workload answered only by its caller.
    const answered = reached || !from;
    return {
      from: from && wl(from.namespace, from.app, from.version),
      service: `${to.app}.${to.namespace}.svc.cluster.local`,
      to: answered ? wl(to.namespace, to.app, to.version) : undefined,
      rps,
      reporters: !answered ? ['source'] : from ? reporters : ['destination'],
      e5: rps * errors,
      flags: answered ? {} : ({ UO: rps } as Record<string, number>),
      protocol,
    };
  });

const groupByArb = fc.constantFrom<GroupBy>('app', 'version', 'workload', 'service');
const shuffled = <T>(list: T[], seed: number) =>
  list
    .map((x, i) => ({ x, k: Math.sin(seed * 1000 + i * 7919) }))
    .sort((a, b) => a.k - b.k)
    .map(({ x }) => x);

describe('buildGraph properties', () => {
  it('shares out of a service sum to 1', () => {
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 40 }), groupByArb, (calls, groupBy) => {
        const { edges, nodes } = buildGraph(samplesOf(calls), groupBy);
        const sums = new Map<string, number>();
        for (const e of edges)
          if (e.share !== undefined) sums.set(`${e.source}|${e.protocol === 'tcp'}`, (sums.get(`${e.source}|${e.protocol === 'tcp'}`) ?? 0) + e.share);
        for (const sum of sums.values()) expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
        // Every split edge leaves a service.
        for (const e of edges) if (e.share !== undefined) expect(nodes.find((n) => n.id === e.source)?.kind).toBe('service');
      }),
    );
  });

  it('what enters a service leaves it, but for the requests no workload answered', () => {
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 40 }), fc.constantFrom<GroupBy>('app', 'version', 'workload'), (calls, groupBy) => {
        const { nodes, edges } = buildGraph(samplesOf(calls), groupBy);
        for (const n of nodes.filter((x) => x.kind === 'service')) {
          const stopped = edges.filter((e) => e.target === n.id).reduce((sum, e) => sum + (e.flags.UO ?? 0), 0);
          expect(n.traffic.inRps - stopped).toBeCloseTo(n.traffic.outRps, 6);
        }
      }),
    );
  });

  it('no edge names a missing node, and ids do not depend on the order of the samples', () => {
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 40 }), groupByArb, fc.integer(), (calls, groupBy, seed) => {
        const a = buildGraph(samplesOf(calls), groupBy);
        const s = samplesOf(calls);
        const b = buildGraph(Object.fromEntries(Object.entries(s).map(([k, list]) => [k, shuffled(list, seed)])) as unknown as GraphSamples, groupBy);
        const ids = new Set(a.nodes.map((n) => n.id));
        for (const e of a.edges) expect(ids.has(e.source) && ids.has(e.target)).toBe(true);
        expect(b.nodes.map((n) => n.id)).toEqual(a.nodes.map((n) => n.id));
        expect(b.edges.map((e) => e.id)).toEqual(a.edges.map((e) => e.id));
      }),
    );
  });
});

describe('buildGraph at scale', () => {
  it('builds 1,000 workloads and 3,000 calls in a few milliseconds', () => {
    const workloads = Array.from({ length: 1000 }, (_, i) => wl(`ns-${i % 50}`, `app-${Math.floor(i / 2)}`, i % 2 ? 'v2' : 'v1'));
    const calls: Call[] = Array.from({ length: 3000 }, (_, i) => {
      const to = workloads[(i * 7 + Math.floor(i / 1000) * 13 + 3) % 1000]!;
      return {
        from: workloads[i % 1000],
        service: `${to.app}.${to.namespace}.svc.cluster.local`,
        to,
        rps: 1 + (i % 10),
        reporters: ['destination'],
        e5: i % 3,
        p95: { destination: 20 },
      };
    });
    const samples = samplesOf(calls);
    // The best of a few runs: the first ones include the JIT warming up, and a shared CI machine is noisy.
    let took = Infinity;
    let graph = buildGraph(samples, 'version');
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      graph = buildGraph(samples, 'version');
      took = Math.min(took, performance.now() - started);
    }
    expect(graph.nodes.length).toBeGreaterThan(1000);
    expect(graph.edges.length).toBeGreaterThan(3000);
    // A few ms on a quiet machine (~20 ms with both cores busy); a quadratic build would take seconds.
    expect(took).toBeLessThan(500);
  });
});
