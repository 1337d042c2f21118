// The simulator scraped by a real Prometheus (Debian's binary): the numbers Meshdeck will
// read answer to what an operator does in the mesh.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus } from '../prometheus.ts';
import { startSandbox, type Sandbox } from '../sandbox.ts';
import { loadScenario, scenarioDir, withOverrides } from './scenario.ts';

let sandbox: Sandbox;
let prometheus: Awaited<ReturnType<typeof startPrometheus>>;

const base = withOverrides(loadScenario(), { rate: 300, headers: { canaryOptIn: 0, newProviderFlag: 0, loadTest: 0 } });

async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  expect(body.status).toBe('success');
  return body.data.result;
}

async function patch(path: string, body: unknown, type = 'application/merge-patch+json') {
  const { fetch: undiciFetch, Agent } = await import('undici');
  const response = await undiciFetch(`${sandbox.url}${path}`, {
    method: 'PATCH',
    headers: { authorization: 'Bearer sandbox-admin-token', 'content-type': type },
    body: JSON.stringify(body),
    dispatcher: new Agent({ connect: { ca: sandbox.certificate } }),
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, kubeconfig: null, traffic: { scenario: base, port: 0 } });
  const target = new URL(sandbox.trafficUrl!).host;
  prometheus = await startPrometheus({
    dir: mkdtempSync(join(tmpdir(), 'meshdeck-prom-')),
    target,
    port: 19090 + Math.floor(Math.random() * 500),
    scrapeInterval: '1s',
    forScale: 60,
  });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await sandbox?.stop();
});

const vsPath = '/apis/networking.istio.io/v1/namespaces/ai-nutritionist/virtualservices/nutrition-service-canary';
const byVersion = 'sum by (destination_version) (rate(istio_requests_total{destination_service_name="nutrition-service"}[30s]))';

describe('sandbox traffic in a real Prometheus', () => {
  it('shifting nutrition-service to 50/50 brings the canary to half the rate', async () => {
    await expect.poll(async () => (await query(byVersion)).length, { timeout: 20_000, interval: 1000 }).toBeGreaterThan(1);
    await patch(
      vsPath,
      [
        { op: 'test', path: '/spec/http/3/name', value: 'default-split' },
        { op: 'replace', path: '/spec/http/3/route/0/weight', value: 50 },
        { op: 'replace', path: '/spec/http/3/route/1/weight', value: 50 },
      ],
      'application/json-patch+json',
    );
    await new Promise((r) => setTimeout(r, 33_000)); // a full 30 s window after the change
    const rates = Object.fromEntries((await query(byVersion)).map((r) => [r.metric.destination_version, Number(r.value[1])]));
    const share = rates.canary! / (rates.canary! + rates.stable!);
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.55);
  }, 70_000);

  it('PERMISSIVE lets the plaintext client outside the mesh through', async () => {
    const plaintext = 'sum(rate(istio_requests_total{destination_service_name="nutrition-service",connection_security_policy="none"}[10s]))';
    expect(Number((await query(plaintext))[0]?.value[1] ?? 0)).toBe(0);
    await patch('/apis/security.istio.io/v1/namespaces/ai-nutritionist/peerauthentications/default', { spec: { mtls: { mode: 'PERMISSIVE' } } });
    await expect.poll(async () => Number((await query(plaintext))[0]?.value[1] ?? 0), { timeout: 15_000, interval: 1000 }).toBeGreaterThan(0);
    await patch('/apis/security.istio.io/v1/namespaces/ai-nutritionist/peerauthentications/default', { spec: { mtls: { mode: 'STRICT' } } });
  }, 30_000);

  it('a failing AI coach gets its pods ejected by outlier detection', async () => {
    sandbox.simulator!.setScenario(loadScenario(join(scenarioDir, 'ai-coach-failing.yaml')));
    await expect
      .poll(
        async () => Number((await query('max(envoy_cluster_outlier_detection_ejections_active{cluster_name=~".*ai-coach-service.*"})'))[0]?.value[1] ?? 0),
        { timeout: 15_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
  }, 30_000);

  it('serves a gateway → ai-coach → nutrition trace with its tags through the Jaeger API', async () => {
    const url = `${sandbox.trafficUrl}/api/traces?service=ai-coach-service.ai-nutritionist&lookback=1h&limit=5`;
    const body = (await (await fetch(url)).json()) as {
      data: {
        spans: { spanID: string; references: { spanID: string }[]; processID: string; tags: { key: string; value: unknown }[] }[];
        processes: Record<string, { serviceName: string }>;
      }[];
    };
    const trace = body.data.find((t) => Object.values(t.processes).some((p) => p.serviceName === 'nutrition-service.ai-nutritionist'));
    expect(trace).toBeDefined();
    const service = (s: { processID: string }) => trace!.processes[s.processID]!.serviceName;
    const root = trace!.spans.find((s) => s.references.length === 0)!;
    expect(service(root)).toBe('istio-ingressgateway.istio-system');
    const coach = trace!.spans.find((s) => service(s) === 'ai-coach-service.ai-nutritionist' && s.references[0]?.spanID === root.spanID)!;
    expect(coach).toBeDefined();
    expect(trace!.spans.some((s) => service(s) === 'nutrition-service.ai-nutritionist')).toBe(true);
    for (const key of ['x-request-id', 'x-user-id', 'x-deployment-version']) expect(coach.tags.find((t) => t.key === key)?.value).toBeTruthy();
    const byId = await (await fetch(`${sandbox.trafficUrl}/api/traces/${(body.data[0] as unknown as { traceID: string }).traceID}`)).json();
    expect((byId as { data: unknown[] }).data).toHaveLength(1);
  });
});

// A fresh mesh whose traffic breaches every alert from the start: the rules' 5-minute
// windows must not remember the healthy traffic of the tests above.
describe('alerting rules on live traffic', () => {
  const fresh = {} as { sandbox: Sandbox; prometheus: Awaited<ReturnType<typeof startPrometheus>> };
  beforeAll(async () => {
    fresh.sandbox = await startSandbox({ port: 0, kubeconfig: null, traffic: { scenario: loadScenario(join(scenarioDir, 'alerts-breach.yaml')), port: 0 } });
    // `for` durations are divided by 60 (5m → 5s): the promtool unit tests cover the real ones.
    fresh.prometheus = await startPrometheus({
      dir: mkdtempSync(join(tmpdir(), 'meshdeck-prom-')),
      target: new URL(fresh.sandbox.trafficUrl!).host,
      port: 19600 + Math.floor(Math.random() * 300),
      scrapeInterval: '1s',
      forScale: 60,
    });
  }, 60_000);
  afterAll(async () => {
    await fresh.prometheus?.stop();
    await fresh.sandbox?.stop();
  });

  it('each of the four critical alerts fires under a scenario that breaches it', async () => {
    const firing = async () => {
      const body = (await (await fetch(`${fresh.prometheus.url}/api/v1/alerts`)).json()) as {
        data: { alerts: { labels: Record<string, string>; state: string }[] };
      };
      return new Set(body.data.alerts.filter((a) => a.state === 'firing').map((a) => `${a.labels.alertname}/${a.labels.destination_service_name}`));
    };
    // LowRequestRate needs messaging's series to exist: at ~0.045 req/s its first request may take
    // a minute (no request in 70 s happened about one run in ten); in 150 s, about one in 800.
    await expect
      .poll(async () => [...(await firing())].sort(), { timeout: 150_000, interval: 1000 })
      .toEqual(
        expect.arrayContaining([
          'CanaryHighErrorRate/nutrition-service',
          'HighErrorRate/nutrition-service',
          'HighLatencyP99/ai-coach-service',
          'LowRequestRate/messaging-service',
        ]),
      );
  }, 170_000);
});
