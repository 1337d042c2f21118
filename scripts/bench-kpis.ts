// `npm run bench:kpis`: the KPIs page's data for 100 services. A synthetic exporter serves
// Istio's metrics for 100 services (2 versions, 3 response codes, latency histograms), a
// real Prometheus scrapes it every second, and GET /api/kpis is timed through the dashboard.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus } from '../sandbox/prometheus.ts';

const SERVICES = 100;
const PORT = Number(process.env.BENCH_DASHBOARD_PORT ?? 3191);
const BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => { try { process.kill(-c.pid!, 'SIGTERM'); } catch { /* gone */ } }));

// Counters grow with time, so rates are steady: service i gets i+1 requests/s.
const started = Date.now();
const exporter = createServer((_req, res) => {
  const t = (Date.now() - started) / 1000;
  const lines: string[] = [];
  for (let i = 0; i < SERVICES; i++) {
    for (const version of ['stable', 'canary']) {
      const share = version === 'stable' ? 0.9 : 0.1;
      const base = `reporter="destination",destination_service_namespace="bench",destination_service_name="svc-${i}",destination_version="${version}"`;
      for (const [code, part] of [['200', 0.97], ['503', 0.02], ['404', 0.01]] as const) lines.push(`istio_requests_total{${base},response_code="${code}"} ${Math.floor(t * (i + 1) * share * part * 100) / 100}`);
      const count = t * (i + 1) * share;
      BUCKETS.forEach((le, k) => lines.push(`istio_request_duration_milliseconds_bucket{${base},le="${le}"} ${count * Math.min(1, (k + 1) / BUCKETS.length)}`));
      lines.push(`istio_request_duration_milliseconds_bucket{${base},le="+Inf"} ${count}`);
    }
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`${lines.join('\n')}\n`);
});
await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
const prometheus = await startPrometheus({ dir: mkdtempSync(join(tmpdir(), 'meshdeck-bench-kpis-')), target: `127.0.0.1:${(exporter.address() as AddressInfo).port}`, port: 19290, scrapeInterval: '1s' });

if (!existsSync('.next/BUILD_ID') && spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' }).status !== 0) process.exit(1);
const secret = 'bench-secret-0123456789abcdef0123456789';
const dashboard = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--hostname', '127.0.0.1', '--port', String(PORT)], {
  env: { ...process.env, MESHDECK_DEMO_AUTH: '1', NEXTAUTH_SECRET: secret, NEXTAUTH_URL: `http://127.0.0.1:${PORT}`, MESHDECK_PROMETHEUS_URL: prometheus.url, MESHDECK_EMERGENCY_RECONCILER: '0', KUBECONFIG: '/nonexistent', NEXT_TELEMETRY_DISABLED: '1' },
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});
children.push(dashboard);
await new Promise<void>((r) => dashboard.stdout!.on('data', (c: Buffer) => c.toString().includes('Ready') && r()));
const base = `http://127.0.0.1:${PORT}`;

// Sign in as a demo viewer through next-auth's credentials flow.
const csrf = await fetch(`${base}/api/auth/csrf`);
const { csrfToken } = (await csrf.json()) as { csrfToken: string };
const csrfCookie = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
const login = await fetch(`${base}/api/auth/callback/credentials`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie }, body: new URLSearchParams({ csrfToken, username: 'viewer', password: 'meshdeck-demo', json: 'true' }) });
const cookie = [csrfCookie, ...login.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');

console.info('bench: waiting 20 s for Prometheus to hold a few scrapes of 100 services…');
await new Promise((r) => setTimeout(r, 20_000));
const samples: number[] = [];
let panels = 0;
for (let i = 0; i < 40; i++) {
  const t = performance.now();
  const response = await fetch(`${base}/api/kpis?namespace=bench&range=15m`, { headers: { cookie } });
  const body = (await response.json()) as { services: { data?: unknown[]; error?: unknown } };
  samples.push(performance.now() - t);
  if (!body.services.data) throw new Error(`the services panel failed: ${JSON.stringify(body.services)}`);
  panels = body.services.data.length;
}
const sorted = [...samples].sort((a, b) => a - b);
const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
console.info(`GET /api/kpis for ${panels} services (6 panels, 6 Prometheus queries): p50 ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
console.info(JSON.stringify({ services: panels, p50: p(0.5), p95: p(0.95) }));
exporter.close();
await prometheus.stop();
process.exit(0);
