// `npm run bench:traffic-api`: the Traffic page's API on a large mesh. A sandbox with 2,000
// VirtualServices and 2,000 DestinationRules in 200 namespaces, the production dashboard in
// front of it; measures GET /api/traffic (one namespace, and all) and Apply → visible.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

const NAMESPACES = 200;
const PER_NAMESPACE = 10;
const DASHBOARD_PORT = Number(process.env.BENCH_DASHBOARD_PORT ?? 3190);
const children: ChildProcess[] = [];
process.on('exit', () =>
  children.forEach((c) => {
    try {
      process.kill(-c.pid!, 'SIGTERM'); // the whole group: next start forks its server
    } catch {
      // already gone
    }
  }),
);

const percentile = (samples: number[], p: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]!;
const ms = (v: number) => `${v.toFixed(1)} ms`;

function manifests(dir: string) {
  const docs: unknown[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `bench-${n}`;
    docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (let i = 0; i < PER_NAMESPACE; i++) {
      const host = `svc-${i}`;
      docs.push({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: host, namespace: ns }, spec: { host, subsets: [{ name: 'stable', labels: { version: 'stable' } }, { name: 'canary', labels: { version: 'canary' } }] } });
      docs.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: host, namespace: ns },
        spec: {
          hosts: [host],
          http: [
            { name: 'beta', match: [{ headers: { 'x-user-tier': { exact: 'beta' } } }], route: [{ destination: { host, subset: 'canary' } }], timeout: '30s' },
            { name: 'default', route: [{ destination: { host, subset: 'stable' }, weight: 90 }, { destination: { host, subset: 'canary' }, weight: 10 }], retries: { attempts: 2 } },
          ],
        },
      });
    }
  }
  writeFileSync(join(dir, 'mesh.yaml'), docs.map((d) => stringify(d)).join('---\n'));
}

function start(name: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<string> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = ready.exec(out);
      if (m) resolve(m[1] ?? '');
    });
    child.on('exit', (code) => reject(new Error(`${name} exited (${code})`)));
  });
}

if (!existsSync('.next/BUILD_ID')) {
  console.info('bench: building the dashboard first (next build)');
  if (spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' }).status !== 0) process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'meshdeck-traffic-api-'));
manifests(dir);
await start('sandbox', ['sandbox/main.ts', '--port', '0', '--manifests', dir, '--kubeconfig', join(dir, 'kubeconfig')], {}, /Kubernetes API on (\S+)/);
await start('dashboard', ['node_modules/next/dist/bin/next', 'start', '--hostname', '127.0.0.1', '--port', String(DASHBOARD_PORT)], { KUBECONFIG: join(dir, 'kubeconfig'), MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard', NEXT_TELEMETRY_DISABLED: '1' }, /(Ready)/);
const base = `http://127.0.0.1:${DASHBOARD_PORT}`;
type View = { items: { name: string; resourceVersion: string; routes: { destinations: { weight: number }[] }[] }[] };
const get = async (query: string) => (await (await fetch(`${base}/api/traffic${query}`)).json()) as View;

const first = performance.now();
const all = await get('');
console.info(`bench: ${all.items.length} VirtualServices; first request (fills the watch caches) ${ms(performance.now() - first)}`);

const oneNamespace: number[] = [];
for (let i = 0; i < 300; i++) {
  const t = performance.now();
  await get(`?namespace=bench-${(i * 7) % NAMESPACES}`);
  oneNamespace.push(performance.now() - t);
}
const allNamespaces: number[] = [];
let bytes = 0;
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  const response = await fetch(`${base}/api/traffic`);
  bytes = (await response.text()).length;
  allNamespaces.push(performance.now() - t);
}

const applyToVisible: number[] = [];
for (let round = 0; round < 30; round++) {
  const ns = `bench-${(round * 13) % NAMESPACES}`;
  const name = `svc-${round % PER_NAMESPACE}`;
  const vs = (await get(`?namespace=${ns}`)).items.find((v) => v.name === name)!;
  const canary = vs.routes[1]!.destinations[1]!.weight === 10 ? 30 : 10;
  const t = performance.now();
  const response = await fetch(`${base}/api/traffic/${ns}/${name}/routes/1/weights`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceVersion: vs.resourceVersion, weights: [{ host: name, subset: 'stable', weight: 100 - canary }, { host: name, subset: 'canary', weight: canary }] }),
  });
  if (response.status !== 200) throw new Error(`apply answered ${response.status}: ${await response.text()}`);
  for (;;) {
    const now = (await get(`?namespace=${ns}`)).items.find((v) => v.name === name)!;
    if (now.routes[1]!.destinations[1]!.weight === canary) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  applyToVisible.push(performance.now() - t);
}

console.info(`GET /api/traffic?namespace=… (10 VirtualServices): p50 ${ms(percentile(oneNamespace, 50))}, p95 ${ms(percentile(oneNamespace, 95))}`);
console.info(`GET /api/traffic (all ${all.items.length}, ${(bytes / 1e6).toFixed(1)} MB): p50 ${ms(percentile(allNamespaces, 50))}, p95 ${ms(percentile(allNamespaces, 95))}`);
console.info(`Apply → visible in the API (watch-backed cache): p50 ${ms(percentile(applyToVisible, 50))}, p95 ${ms(percentile(applyToVisible, 95))}; the page polls every 1 s, so on screen within that plus ≤ 1 s`);
console.info(JSON.stringify({ oneNamespace: { p50: percentile(oneNamespace, 50), p95: percentile(oneNamespace, 95) }, allNamespaces: { p50: percentile(allNamespaces, 50), p95: percentile(allNamespaces, 95), bytes }, applyToVisible: { p50: percentile(applyToVisible, 50), p95: percentile(applyToVisible, 95) } }));
process.exit(0);
