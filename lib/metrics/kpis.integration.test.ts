// The KPI panels against a real Prometheus scraping the sandbox's traffic, reached through
// a counting proxy: the numbers agree with the same PromQL run directly, and the whole
// page costs one query per panel however many services there are.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../e2e/processes.ts';
import { startPrometheus } from '../../sandbox/prometheus.ts';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox.ts';
import { loadScenario } from '../../sandbox/traffic/scenario.ts';
import { loadManifests } from '../../k8s/istio/manifests.ts';
import { parseConfigMaps } from '../config/schema.ts';

// The demo's own Meshdeck configuration, as the cluster would hold it.
const seedConfig = parseConfigMaps(
  loadManifests()
    .map(({ object }) => object)
    .filter((o) => o.kind === 'ConfigMap') as never,
  'istio-system',
);

let sandbox: Sandbox;
let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
let proxy: Server;
const queries: string[] = [];
/** When set, the proxy evaluates every instant query at this time (seconds), so the panel and a direct query read the same samples. */
let pinnedTime: number | undefined;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, kubeconfig: null, traffic: { scenario: loadScenario(), port: 0 } });
  prometheus = await startPrometheus({
    dir: mkdtempSync(join(tmpdir(), 'meshdeck-kpi-prom-')),
    target: new URL(sandbox.trafficUrl!).host,
    port: await freePort(),
    scrapeInterval: '1s',
  });
  const upstream = new URL(prometheus.url);
  // Counts every request the dashboard makes, and forwards it.
  proxy = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      queries.push(`${req.url} ${decodeURIComponent(body.replace(/\+/g, ' '))}`);
      if (pinnedTime !== undefined && req.url === '/api/v1/query') body += `&time=${pinnedTime}`;
      const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(body)) };
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      forward.end(body);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  process.env.MESHDECK_PROMETHEUS_URL = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  // Enough scrapes for 1-minute rates.
  await new Promise((r) => setTimeout(r, 12_000));
}, 60_000);

afterAll(async () => {
  proxy?.close();
  await prometheus?.stop();
  await sandbox?.stop();
});

describe('KPI panels on real Prometheus data', () => {
  it('agree with the same PromQL run directly, within 2%, for nutrition-service', async () => {
    const { servicesPanel } = await import('./kpis');
    // One instant for both readers: on a loaded machine a scrape landing between them moved 1-minute rates by 8 %.
    const at = Math.floor(Date.now() / 1000) - 2;
    pinnedTime = at;
    const rows = await servicesPanel({ namespace: 'ai-nutritionist' }, '1m').finally(() => (pinnedTime = undefined));
    const direct = async (expr: string) => {
      const r = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${at}`);
      return Number(((await r.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]!.value[1]);
    };
    const sel = '{reporter="destination",destination_service_namespace="ai-nutritionist",destination_service_name="nutrition-service"}';
    const nutrition = rows.find((r) => r.service === 'nutrition-service')!;
    const within = (a: number, b: number) => expect(Math.abs(a - b) / b).toBeLessThan(0.02);
    within(nutrition.rate, await direct(`sum(rate(istio_requests_total${sel}[1m]))`));
    within(nutrition.p99!, await direct(`histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket${sel}[1m])))`));
    within(nutrition.p50!, await direct(`histogram_quantile(0.5, sum by (le) (rate(istio_request_duration_milliseconds_bucket${sel}[1m])))`));
    const errors = await direct(`sum(rate(istio_requests_total${sel.replace('}', ',response_code=~"5.."}')}[1m])) / sum(rate(istio_requests_total${sel}[1m]))`);
    expect(Math.abs(nutrition.errorRatio - errors)).toBeLessThan(0.002);
    expect(rows.map((r) => r.service)).toEqual(['ai-coach-service', 'health-tracking-service', 'messaging-service', 'nutrition-service', 'payment-service']);
    expect(rows.every((r) => r.rate > 0)).toBe(true);
  }, 30_000);

  it('makes one query per panel, none naming a service', async () => {
    const { kpiPage } = await import('./kpis');
    queries.length = 0;
    const page = await kpiPage({ namespace: 'ai-nutritionist' }, 3600, undefined, seedConfig);
    const panels = [page.services, page.slo, page.canaries, page.business, page.sparklines, page.alerts];
    expect(panels.every((p) => 'data' in p)).toBe(true);
    expect(queries).toHaveLength(panels.length);
    for (const service of ['nutrition-service', 'ai-coach-service', 'payment-service']) expect(queries.join('\n')).not.toContain(service);
    const canaries = (page.canaries as { data: { service: string; state: string; verdict: string; versions: { version: string }[] }[] }).data;
    const nutrition = canaries.find((c) => c.service === 'nutrition-service');
    expect(nutrition?.versions.map((v) => v.version).sort()).toEqual(['canary', 'load-test', 'stable']);
    // Judged by the seed's canary rule, as before the rule moved to the cluster.
    expect(nutrition?.verdict).toMatch(
      /^(Healthy: canary fails [\d.]+%, under the 10% alert threshold|Roll back: canary fails [\d.]+% of requests \(> 10%\), the CanaryHighErrorRate alert fires after 2 minutes)$/,
    );
  }, 30_000);

  it("shows the seed configuration's SLOs and business KPIs with real values", async () => {
    const { kpiPage } = await import('./kpis');
    const page = await kpiPage({ namespace: 'ai-nutritionist' }, 900, undefined, seedConfig);
    expect(page.config).toEqual({ sources: ['ai-nutritionist/meshdeck-config'], problems: [], error: undefined });
    const slos = (page.slo as { data: { slos: { name: string; objective: string; value: number | null }[] } }).data.slos;
    expect(slos.map((s) => `${s.name} ${s.objective}`)).toEqual([
      'Availability > 99.9%',
      'Latency P99 < 2000 ms',
      'Error rate < 0.1%',
      'Throughput > 1000 RPS',
    ]);
    expect(slos.every((s) => s.value !== null)).toBe(true);
    const business = (
      page.business as {
        data: {
          kpis: { name: string; value: number | null }[];
          segments: { values: { value: string }[] }[];
          mesh: { canaryShare: number | null; ejectedHosts: number | null };
        };
      }
    ).data;
    expect(business.kpis.map((k) => k.name)).toEqual(['Active users (5 min)', 'Premium requests']);
    expect(business.kpis[0]!.value).toBeGreaterThan(0);
    expect(business.segments[0]!.values.map((v) => v.value)).toContain('premium');
    expect(business.mesh.canaryShare).toBeGreaterThan(0);
    expect(business.mesh.ejectedHosts).not.toBeNull();
  }, 30_000);

  it('without configuration, shows RED and the version comparison, and says what is not configured', async () => {
    const { kpiPage } = await import('./kpis');
    const page = await kpiPage({ namespace: 'ai-nutritionist' }, 900, undefined, { sources: [], problems: [], rootNamespace: 'istio-system' });
    expect((page.slo as { data: { notConfigured?: string } }).data.notConfigured).toMatch(
      /^No SLOs configured for namespace ai-nutritionist: add a ConfigMap labelled meshdeck.io\/config=true/,
    );
    const nutrition = (page.canaries as { data: { service: string; canary?: string; state: string }[] }).data.find((c) => c.service === 'nutrition-service');
    expect(nutrition).toMatchObject({ canary: 'canary', state: 'info' });
    expect((page.business as { data: { notConfigured?: string } }).data.notConfigured).toMatch(/^No business KPIs configured/);
    expect((page.services as { data: unknown[] }).data.length).toBe(5);
  }, 30_000);

  it('reads the breakers from Envoy stats where exported, and says where they are not', async () => {
    const { breakerStatus } = await import('./resilience');
    const here = await breakerStatus('ai-nutritionist');
    expect(here.envoy).toEqual({ missing: [], missingInScope: [], notice: undefined });
    expect(here.status.find((s) => s.service === 'nutrition-service')?.ejectedHosts).toEqual(expect.any(Number));
    const elsewhere = await breakerStatus('no-such-namespace');
    expect(elsewhere.envoy.missing).toEqual([]);
    expect(elsewhere.envoy.missingInScope).toHaveLength(3);
    expect(elsewhere.envoy.notice?.summary).toContain('none for the services of no-such-namespace');
    // A namespace without traffic lists nothing, not the other namespaces' services.
    expect(elsewhere.status).toEqual([]);
    expect(here.status.length).toBeGreaterThan(0);
    expect(here.status.every((s) => s.namespace === 'ai-nutritionist')).toBe(true);
    const all = await breakerStatus();
    expect(all.status.find((s) => s.service === 'nutrition-service')?.namespace).toBe('ai-nutritionist');
  }, 30_000);

  it('gives the canary panel and the business canary share the same share, by the one canary definition', async () => {
    const { kpiPage } = await import('./kpis');
    for (const loaded of [seedConfig, { sources: [], problems: [], rootNamespace: 'istio-system' }]) {
      const page = await kpiPage({ namespace: 'ai-nutritionist' }, 900, undefined, loaded);
      const canaries = (page.canaries as { data: { service: string; canaryShare: number | null }[] }).data.filter((c) => c.canaryShare !== null);
      const business = (page.business as { data: { mesh: { canaryShare: number | null } } }).data;
      // The seed canaries one service: the card is that service's share (two queries a few ms apart: a scrape may land between).
      expect(canaries.map((c) => c.service)).toEqual(['nutrition-service']);
      expect(canaries[0]!.canaryShare).toBeGreaterThan(0);
      expect(business.mesh.canaryShare).toBeCloseTo(canaries[0]!.canaryShare!, 2);
    }
  }, 30_000);

  it("sizes the default trace search by the service's request rate, so it spans more than the latest second", async () => {
    const { searchTraces } = await import('./jaeger');
    const saved = process.env.MESHDECK_JAEGER_URL;
    process.env.MESHDECK_JAEGER_URL = sandbox.trafficUrl!;
    try {
      const { traces, plan } = await searchTraces({ service: 'nutrition-service.ai-nutritionist' });
      expect(plan!.slices.length).toBe(10);
      expect(plan!.rule).toMatch(/^10 searches of 5 traces: at [\d.]+ req\/s the latest 50 would cover/);
      const starts = traces.map((t) => Math.min(...t.spans.map((s) => s.startTime)));
      expect(new Set(traces.map((t) => t.traceID)).size).toBe(traces.length);
      expect((Math.max(...starts) - Math.min(...starts)) / 1e6).toBeGreaterThan(3);
      const asked = await searchTraces({ service: 'nutrition-service.ai-nutritionist', lookback: '1h', limit: 20 });
      expect(asked.plan).toBeNull();
      expect(asked.traces).toHaveLength(20);
    } finally {
      // Assigning undefined would store the string "undefined", which is no URL.
      if (saved === undefined) delete process.env.MESHDECK_JAEGER_URL;
      else process.env.MESHDECK_JAEGER_URL = saved;
    }
  }, 30_000);

  it('reports an unreachable Prometheus per panel with a clear message', async () => {
    const { kpiPage } = await import('./kpis');
    const saved = process.env.MESHDECK_PROMETHEUS_URL;
    process.env.MESHDECK_PROMETHEUS_URL = 'http://127.0.0.1:59997';
    try {
      const page = await kpiPage({}, 900);
      expect(page.services).toEqual({ error: { status: 503, message: expect.stringMatching(/Prometheus at http:\/\/127.0.0.1:59997 is unreachable/) } });
    } finally {
      // Assigning undefined would store the string "undefined", which is no URL.
      if (saved === undefined) delete process.env.MESHDECK_PROMETHEUS_URL;
      else process.env.MESHDECK_PROMETHEUS_URL = saved;
    }
  });
});
