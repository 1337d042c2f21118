// `npm run bench:sandbox`: the sandbox under Meshdeck-sized load, measured from a client
// process: 10,000 VirtualServices in 200 namespaces; list latency across all namespaces,
// patch latency, and the delay until 20 concurrent watchers see a change.
// BENCH_QUICK=1: 200 VirtualServices in 10 namespaces, fewer rounds.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, fetch } from 'undici';
import { stringify } from 'yaml';
import { check, ms as fmt, percentile, report, sized, startSandbox, tempDir, within } from '../scripts/bench-support.ts';

const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? sized(200, 10));
const VIRTUAL_SERVICES = Number(process.env.BENCH_VIRTUAL_SERVICES ?? sized(10_000, 200));
const WATCHERS = 20;
const [LISTS, PATCHES, FANOUT_ROUNDS] = sized([20, 200, 30], [5, 50, 5]);

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
          {
            name: 'beta',
            match: [{ headers: { 'x-user-tier': { exact: 'beta' } } }],
            route: [{ destination: { host, subset: 'canary' }, weight: 100 }],
            timeout: '30s',
          },
          {
            name: 'default',
            route: [
              { destination: { host, subset: 'stable' }, weight: 90 },
              { destination: { host, subset: 'canary' }, weight: 10 },
            ],
            timeout: '30s',
            retries: { attempts: 2, perTryTimeout: '10s' },
          },
        ],
      },
    });
  }
  writeFileSync(join(dir, 'bench.yaml'), docs.map((d) => stringify(d)).join('---\n'));
}

const dir = tempDir('bench');
manifests(dir);
console.info(`bench: ${VIRTUAL_SERVICES} VirtualServices in ${NAMESPACES} namespaces`);
const started = performance.now();
const sandbox = await startSandbox(dir, ['--manifests', dir]);
const loadMs = performance.now() - started;
const tls = JSON.parse(readFileSync(join(dir, 'sandbox-tls.json'), 'utf8')) as { cert: string };
const dispatcher = new Agent({ connect: { ca: tls.cert }, connections: 64 });
const headers = { authorization: 'Bearer sandbox-admin-token' };
const api = `${sandbox.url}/apis/networking.istio.io/v1`;

// List across all namespaces.
const listSamples: number[] = [];
let listBytes = 0;
for (let i = 0; i < LISTS; i++) {
  const t = performance.now();
  const response = await fetch(`${api}/virtualservices`, { headers, dispatcher });
  const body = await response.text();
  listSamples.push(performance.now() - t);
  listBytes = body.length;
  check(response.status === 200, `list answered ${response.status}: ${body.slice(0, 500)}`);
  const items = (JSON.parse(body) as { items: unknown[] }).items.length;
  check(items === VIRTUAL_SERVICES, `list returned ${items} items, not ${VIRTUAL_SERVICES}`);
}

// Patch (JSON patch with a test precondition), sequentially.
const patchSamples: number[] = [];
for (let i = 0; i < PATCHES; i++) {
  const n = (i * 37) % VIRTUAL_SERVICES;
  const weight = i % 2 === 0 ? 80 : 90;
  const t = performance.now();
  const response = await fetch(`${api}/namespaces/bench-${n % NAMESPACES}/virtualservices/svc-${n}`, {
    method: 'PATCH',
    headers: { ...headers, 'content-type': 'application/json-patch+json' },
    body: JSON.stringify([
      { op: 'test', path: '/spec/http/1/name', value: 'default' },
      { op: 'replace', path: '/spec/http/1/route/0/weight', value: weight },
      { op: 'replace', path: '/spec/http/1/route/1/weight', value: 100 - weight },
    ]),
    dispatcher,
  });
  const body = await response.text();
  patchSamples.push(performance.now() - t);
  check(response.status === 200, `patch answered ${response.status}: ${body.slice(0, 500)}`);
}

// 20 concurrent watchers across all namespaces; time from the patch call to each watcher's event.
const listed = await fetch(`${api}/virtualservices?limit=1`, { headers, dispatcher });
check(listed.status === 200, `list with limit answered ${listed.status}`);
const listRv = ((await listed.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
const waiters: ((name: string, at: number) => void)[] = [];
let watchError = '';
const controllers: AbortController[] = [];
await Promise.all(
  Array.from({ length: WATCHERS }, async () => {
    const controller = new AbortController();
    controllers.push(controller);
    const response = await fetch(`${api}/virtualservices?watch=true&resourceVersion=${listRv}`, { headers, dispatcher, signal: controller.signal });
    check(response.status === 200, `watch answered ${response.status}`);
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
            if (event.type === 'ERROR') watchError = JSON.stringify(event.object);
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
for (let round = 0; round < FANOUT_ROUNDS; round++) {
  const n = (round * 101) % VIRTUAL_SERVICES;
  const name = `svc-${n}`;
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
  const response = await fetch(`${api}/namespaces/bench-${n % NAMESPACES}/virtualservices/${name}`, {
    method: 'PATCH',
    headers: { ...headers, 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ metadata: { annotations: { round: String(round) } } }),
    dispatcher,
  });
  const body = await response.text();
  check(response.status === 200, `merge patch answered ${response.status}: ${body.slice(0, 500)}`);
  await within(30, () => `the change of ${name} reaching all ${WATCHERS} watchers (${seen.length} saw it${watchError && `; watch error ${watchError}`})`, done);
  waiters.length = 0;
  fanoutSamples.push(Math.max(...seen) - t);
}
for (const c of controllers) c.abort();
await sandbox.stop();
await dispatcher.close();

const results = {
  objects: VIRTUAL_SERVICES,
  namespaces: NAMESPACES,
  startupWithLoadMs: Math.round(loadMs),
  listAllNamespaces: { samples: listSamples.length, p50: percentile(listSamples, 50), p95: percentile(listSamples, 95), bytes: listBytes },
  patch: { samples: patchSamples.length, p50: percentile(patchSamples, 50), p95: percentile(patchSamples, 95), p99: percentile(patchSamples, 99) },
  watchFanout20: { rounds: fanoutSamples.length, p50: percentile(fanoutSamples, 50), p95: percentile(fanoutSamples, 95), max: Math.max(...fanoutSamples) },
};
console.info(`startup incl. loading and validating ${VIRTUAL_SERVICES} objects: ${(results.startupWithLoadMs / 1000).toFixed(1)} s`);
console.info(`list all namespaces (${(listBytes / 1e6).toFixed(1)} MB): p50 ${fmt(results.listAllNamespaces.p50)}, p95 ${fmt(results.listAllNamespaces.p95)}`);
console.info(`patch (JSON patch with test op): p50 ${fmt(results.patch.p50)}, p95 ${fmt(results.patch.p95)}, p99 ${fmt(results.patch.p99)}`);
console.info(
  `change seen by all ${WATCHERS} watchers: p50 ${fmt(results.watchFanout20.p50)}, p95 ${fmt(results.watchFanout20.p95)}, max ${fmt(results.watchFanout20.max)}`,
);
report(results);
