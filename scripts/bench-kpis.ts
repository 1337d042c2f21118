// `npm run bench:kpis`: the KPIs page's data for 100 services. A synthetic exporter serves
// Istio's metrics for 100 services (2 versions, 3 response codes, latency histograms), a
// real Prometheus scrapes it every second, and GET /api/kpis is timed through the dashboard.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { findPrometheus, startPrometheus } from '../sandbox/prometheus.ts';
import {
  adopt,
  check,
  fetchOk,
  ms,
  percentile,
  portFrom,
  report,
  signIn,
  sized,
  sleep,
  startDashboard,
  startSandbox,
  tempDir,
  within,
} from './bench-support.ts';

const SERVICES = sized(100, 10);
const [SETTLE_MS, SAMPLES] = sized([20_000, 40], [0, 10]);
const BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
check(findPrometheus(), 'bench:kpis needs Prometheus: apt-get install prometheus (or set PROMETHEUS_BIN to its binary)');

// Counters grow with time, so rates are steady: service i gets i+1 requests/s.
const started = Date.now();
const exporter = createServer((_req, res) => {
  const t = (Date.now() - started) / 1000;
  const lines: string[] = [];
  for (let i = 0; i < SERVICES; i++) {
    for (const version of ['stable', 'canary']) {
      const share = version === 'stable' ? 0.9 : 0.1;
      const base = `reporter="destination",destination_service_namespace="bench",destination_service_name="svc-${i}",destination_version="${version}"`;
      for (const [code, part] of [
        ['200', 0.97],
        ['503', 0.02],
        ['404', 0.01],
      ] as const)
        lines.push(`istio_requests_total{${base},response_code="${code}"} ${Math.floor(t * (i + 1) * share * part * 100) / 100}`);
      const count = t * (i + 1) * share;
      BUCKETS.forEach((le, k) => lines.push(`istio_request_duration_milliseconds_bucket{${base},le="${le}"} ${count * Math.min(1, (k + 1) / BUCKETS.length)}`));
      lines.push(`istio_request_duration_milliseconds_bucket{${base},le="+Inf"} ${count}`);
    }
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`${lines.join('\n')}\n`);
});
await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
const prometheus = await startPrometheus({
  dir: tempDir('bench-kpis'),
  target: `127.0.0.1:${(exporter.address() as AddressInfo).port}`,
  port: await portFrom('BENCH_PROMETHEUS_PORT'),
  scrapeInterval: '1s',
});
adopt(prometheus.process);
// The namespace and its Meshdeck configuration (SLOs, a business KPI, the canary rule), so the
// SLO and business panels are measured as well, as they are on a configured mesh.
const manifestDir = tempDir('bench-kpis-manifests');
const config = {
  slos: [
    { sli: 'availability', objective: 0.999 },
    { sli: 'latency', quantile: 0.99, objective: 2000 },
    { sli: 'errorRate', objective: 0.001 },
    { sli: 'throughput', objective: 100 },
  ],
  businessKpis: [{ name: 'Requests', query: 'sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="bench"}[5m]))', unit: 'rps' }],
  canary: { versions: 'canary', errorRatioThreshold: 0.1, window: '2m' },
};
writeFileSync(
  join(manifestDir, 'bench.yaml'),
  [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'meshdeck-config', namespace: 'bench', labels: { 'meshdeck.io/config': 'true' } },
      data: { 'meshdeck.yaml': JSON.stringify(config) },
    },
  ]
    .map((d) => JSON.stringify(d))
    .join('\n---\n'),
);
const sandbox = await startSandbox(tempDir('bench-kpis-sandbox'), ['--manifests', manifestDir]);
const { base } = await startDashboard({ MESHDECK_PROMETHEUS_URL: prometheus.url, KUBECONFIG: sandbox.kubeconfig, MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard' });
const cookie = await signIn(base, 'viewer');
type Panel = { data?: unknown[]; error?: unknown };
const kpis = async () => (await (await fetchOk(`${base}/api/kpis?namespace=bench&range=15m`, { headers: { cookie } })).json()) as Record<string, Panel>;

if (SETTLE_MS) {
  console.info(`bench: waiting ${SETTLE_MS / 1000} s for Prometheus to hold a few scrapes of ${SERVICES} services…`);
  await sleep(SETTLE_MS);
}
// Rates need two scrapes: wait (at most a minute) until the services panel shows every service.
await within(
  60,
  () => `the services panel showing ${SERVICES} services`,
  (async () => {
    while (((await kpis()).services?.data?.length ?? 0) < SERVICES) await sleep(500);
  })(),
);
const samples: number[] = [];
let panels = 0;
for (let i = 0; i < SAMPLES; i++) {
  const t = performance.now();
  const body = await kpis();
  samples.push(performance.now() - t);
  for (const [name, panel] of Object.entries(body)) check(name === 'window' || !panel.error, `the ${name} panel failed: ${JSON.stringify(panel.error)}`);
  check(body.services?.data, `the services panel has no data: ${JSON.stringify(body.services)}`);
  panels = body.services.data.length;
}
console.info(
  `GET /api/kpis for ${panels} services (6 panels, 6 Prometheus queries): p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}, max ${ms(Math.max(...samples))}`,
);
report({ services: panels, p50: percentile(samples, 50), p95: percentile(samples, 95) });
exporter.close();
await prometheus.stop();
process.exit(0);
