// The KPI panels against a real Prometheus scraping the sandbox's traffic, reached through
// a counting proxy: the numbers agree with the same PromQL run directly, and the whole
// page costs one query per panel however many services there are.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus } from '../../sandbox/prometheus.ts';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox.ts';
import { loadScenario } from '../../sandbox/traffic/scenario.ts';

let sandbox: Sandbox;
let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
let proxy: Server;
const queries: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, kubeconfig: null, traffic: { scenario: loadScenario(), port: 0 } });
  prometheus = await startPrometheus({ dir: mkdtempSync(join(tmpdir(), 'meshdeck-kpi-prom-')), target: new URL(sandbox.trafficUrl!).host, port: 19900 + Math.floor(Math.random() * 90), scrapeInterval: '1s' });
  const upstream = new URL(prometheus.url);
  // Counts every request the dashboard makes, and forwards it.
  proxy = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      queries.push(`${req.url} ${decodeURIComponent(body.replace(/\+/g, ' '))}`);
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
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
    const rows = await servicesPanel({ namespace: 'ai-nutritionist' }, '1m');
    const direct = async (expr: string) => {
      const r = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
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
    const page = await kpiPage({ namespace: 'ai-nutritionist' }, 3600);
    const panels = [page.services, page.slo, page.canaries, page.business, page.sparklines, page.alerts];
    expect(panels.every((p) => 'data' in p)).toBe(true);
    expect(queries).toHaveLength(panels.length);
    for (const service of ['nutrition-service', 'ai-coach-service', 'payment-service']) expect(queries.join('\n')).not.toContain(service);
    const canaries = (page.canaries as { data: { service: string; versions: { version: string }[] }[] }).data;
    expect(canaries.find((c) => c.service === 'nutrition-service')?.versions.map((v) => v.version).sort()).toEqual(['canary', 'load-test', 'stable']);
  }, 30_000);

  it('reports an unreachable Prometheus per panel with a clear message', async () => {
    const { kpiPage } = await import('./kpis');
    const saved = process.env.MESHDECK_PROMETHEUS_URL;
    process.env.MESHDECK_PROMETHEUS_URL = 'http://127.0.0.1:59997';
    try {
      const page = await kpiPage({}, 900);
      expect(page.services).toEqual({ error: { status: 503, message: expect.stringMatching(/Prometheus at http:\/\/127.0.0.1:59997 is unreachable/) } });
    } finally {
      process.env.MESHDECK_PROMETHEUS_URL = saved;
    }
  });
});
