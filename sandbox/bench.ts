// `npm run bench:sandbox`: the sandbox under Meshdeck-sized load, measured from a client
// process: 10,000 VirtualServices in 200 namespaces; list latency across all namespaces,
// patch latency, and the delay until 20 concurrent watchers see a change.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, fetch } from 'undici';
import { stringify } from 'yaml';

const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? 200);
const VIRTUAL_SERVICES = Number(process.env.BENCH_VIRTUAL_SERVICES ?? 10_000);
const WATCHERS = 20;
const here = new URL('.', import.meta.url).pathname;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

function manifests(dir: string) {
  const docs: unknown[] = [];
  for (let n = 0; n < NAMESPACES; n++) docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}` } });
  for (let i = 0; i < VIRTUAL_SERVICES; i++) {
    const host = `svc-${i}`;
    docs.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: host, namespace: `bench-${i % NAMESPACES}`, labels: { app: host } },
      spec: {
        hosts: [host],
        http: [
          { name: 'beta', match: [{ headers: { 'x-user-tier': { exact: 'beta' } } }], route: [{ destination: { host, subset: 'canary' }, weight: 100 }], timeout: '30s' },
          { name: 'default', route: [{ destination: { host, subset: 'stable' }, weight: 90 }, { destination: { host, subset: 'canary' }, weight: 10 }], timeout: '30s', retries: { attempts: 2, perTryTimeout: '10s' } },
        ],
      },
    });
  }
  writeFileSync(join(dir, 'bench.yaml'), docs.map((d) => stringify(d)).join('---\n'));
}

async function startSandboxProcess(dir: string): Promise<{ url: string; stop: () => void; loadMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(here, 'main.ts'), '--port', '0', '--manifests', dir, '--kubeconfig', join(dir, 'kubeconfig')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Kubernetes API on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited (${code})`)));
  });
  return { url, loadMs: performance.now() - started, stop: () => child.kill('SIGTERM') };
}

const dir = mkdtempSync(join(tmpdir(), 'meshdeck-bench-'));
manifests(dir);
console.info(`bench: ${VIRTUAL_SERVICES} VirtualServices in ${NAMESPACES} namespaces`);
const sandbox = await startSandboxProcess(dir);
const tls = JSON.parse(readFileSync(join(dir, 'sandbox-tls.json'), 'utf8')) as { cert: string };
const dispatcher = new Agent({ connect: { ca: tls.cert }, connections: 64 });
const headers = { authorization: 'Bearer sandbox-admin-token' };
const api = `${sandbox.url}/apis/networking.istio.io/v1`;

// List across all namespaces.
const listSamples: number[] = [];
let listBytes = 0;
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  const response = await fetch(`${api}/virtualservices`, { headers, dispatcher });
  const body = await response.text();
  listSamples.push(performance.now() - t);
  listBytes = body.length;
  if (JSON.parse(body).items.length !== VIRTUAL_SERVICES) throw new Error('list returned the wrong number of items');
}

// Patch (JSON patch with a test precondition), sequentially.
const patchSamples: number[] = [];
for (let i = 0; i < 200; i++) {
  const n = (i * 37) % VIRTUAL_SERVICES;
  const weight = i % 2 === 0 ? 80 : 90;
  const t = performance.now();
  const response = await fetch(`${api}/namespaces/bench-${n % NAMESPACES}/virtualservices/svc-${n}`, {
    method: 'PATCH',
    headers: { ...headers, 'content-type': 'application/json-patch+json' },
    body: JSON.stringify([{ op: 'test', path: '/spec/http/1/name', value: 'default' }, { op: 'replace', path: '/spec/http/1/route/0/weight', value: weight }, { op: 'replace', path: '/spec/http/1/route/1/weight', value: 100 - weight }]),
    dispatcher,
  });
  await response.text();
  patchSamples.push(performance.now() - t);
  if (response.status !== 200) throw new Error(`patch answered ${response.status}`);
}

// 20 concurrent watchers across all namespaces; time from the patch call to each watcher's event.
const listRv = (JSON.parse(await (await fetch(`${api}/virtualservices?limit=1`, { headers, dispatcher })).text()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
const waiters: ((name: string, at: number) => void)[] = [];
const controllers: AbortController[] = [];
await Promise.all(
  Array.from({ length: WATCHERS }, async () => {
    const controller = new AbortController();
    controllers.push(controller);
    const response = await fetch(`${api}/virtualservices?watch=true&resourceVersion=${listRv}`, { headers, dispatcher, signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffered += decoder.decode(value, { stream: true });
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            const event = JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
            const at = performance.now();
            for (const notify of waiters) notify(event.object.metadata.name, at);
          }
        }
      } catch {
        // aborted at the end of the bench
      }
    })();
  }),
);
const fanoutSamples: number[] = [];
for (let round = 0; round < 30; round++) {
  const name = `svc-${round * 101}`;
  const seen: number[] = [];
  const done = new Promise<void>((resolve) => {
    waiters.push((eventName, at) => {
      if (eventName === name) {
        seen.push(at);
        if (seen.length === WATCHERS) resolve();
      }
    });
  });
  const t = performance.now();
  await fetch(`${api}/namespaces/bench-${(round * 101) % NAMESPACES}/virtualservices/${name}`, {
    method: 'PATCH',
    headers: { ...headers, 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ metadata: { annotations: { round: String(round) } } }),
    dispatcher,
  }).then((r) => r.text());
  await done;
  waiters.length = 0;
  fanoutSamples.push(Math.max(...seen) - t);
}
for (const c of controllers) c.abort();
sandbox.stop();
await dispatcher.close();

const results = {
  objects: VIRTUAL_SERVICES,
  namespaces: NAMESPACES,
  startupWithLoadMs: Math.round(sandbox.loadMs),
  listAllNamespaces: { samples: listSamples.length, p50: percentile(listSamples, 50), p95: percentile(listSamples, 95), bytes: listBytes },
  patch: { samples: patchSamples.length, p50: percentile(patchSamples, 50), p95: percentile(patchSamples, 95), p99: percentile(patchSamples, 99) },
  watchFanout20: { rounds: fanoutSamples.length, p50: percentile(fanoutSamples, 50), p95: percentile(fanoutSamples, 95), max: Math.max(...fanoutSamples) },
};
console.info(`startup incl. loading and validating ${VIRTUAL_SERVICES} objects: ${(results.startupWithLoadMs / 1000).toFixed(1)} s`);
console.info(`list all namespaces (${(listBytes / 1e6).toFixed(1)} MB): p50 ${fmt(results.listAllNamespaces.p50)}, p95 ${fmt(results.listAllNamespaces.p95)}`);
console.info(`patch (JSON patch with test op): p50 ${fmt(results.patch.p50)}, p95 ${fmt(results.patch.p95)}, p99 ${fmt(results.patch.p99)}`);
console.info(`change seen by all ${WATCHERS} watchers: p50 ${fmt(results.watchFanout20.p50)}, p95 ${fmt(results.watchFanout20.p95)}, max ${fmt(results.watchFanout20.max)}`);
console.info(JSON.stringify(results));
