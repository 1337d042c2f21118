// `npm run bench:scale [-- --quick]`: the dashboard on a large cluster. A sandbox holding 10,000
// VirtualServices, 10,000 DestinationRules, 5,000 Pods and 2,000 Services (applied with kubectl,
// so the Istio objects carry last-applied-configuration), the production dashboard in front of
// it: the cold-cache time to the first /api/traffic answer, every page's API, and the
// dashboard's memory (RSS of its process tree) once every cache is full, with the V8 flags it
// ships with (see NODE_OPTIONS below).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BenchFailure,
  check,
  fetchOk,
  ms,
  percentile,
  QUICK,
  report,
  root,
  SCALE_SIZE,
  SCALE_SIZE_QUICK,
  signIn,
  sleep,
  startDashboard,
  startScaleSandbox,
  tempDir,
} from './bench-support.ts';

const quick = QUICK || process.argv.includes('--quick');
const SIZE = quick ? SCALE_SIZE_QUICK : SCALE_SIZE;
// RSS: 300 MB until the configuration analysis (a second model of the cluster: its own Pod and
// Endpoints caches, indexes, each check's reads) joined the pages; 400 MB leaves the 512Mi limit
// ~100 MB for buffers and TLS.
const TARGET = { rssMb: 400, coldFillS: 5 };
const WARM_SAMPLES = quick ? 2 : 5;
// The V8 flags the dashboard ships with: `npm start`'s NODE_OPTIONS, which the Dockerfile and the
// Deployment repeat (the three must agree). BENCH_NODE_OPTIONS tries others instead.
const shipped = {
  'npm start': /NODE_OPTIONS='([^']*)'/.exec(
    (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '',
  )?.[1],
  Dockerfile: /NODE_OPTIONS="([^"]*)"/.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1],
  'deploy/base/deployment.yaml': /- name: NODE_OPTIONS\s+value: "([^"]*)"/.exec(readFileSync(join(root, 'deploy/base/deployment.yaml'), 'utf8'))?.[1],
};
const SHIPPED_NODE_OPTIONS = shipped['npm start'] ?? '';
check(
  Object.values(shipped).every((flags) => flags === SHIPPED_NODE_OPTIONS),
  `the dashboard's NODE_OPTIONS differ: ${Object.entries(shipped)
    .map(([where, flags]) => `${where}: ${flags === undefined ? 'none' : `"${flags}"`}`)
    .join('; ')}`,
);
const NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? SHIPPED_NODE_OPTIONS;

check(existsSync(join(root, '.next/BUILD_ID')), 'bench:scale measures the production dashboard, and there is no build: run `npm run build` first');

/** Resident memory (kB, current and peak) of `pid` and every process below it: `next start` forks its server. */
function treeMemory(pid: number): { rssKb: number; peakKb: number; processes: number } {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  let rssKb = 0;
  let peakKb = 0;
  for (const p of tree) {
    const status = readFileSync(`/proc/${p}/status`, 'utf8');
    rssKb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peakKb += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return { rssKb, peakKb, processes: tree.length };
}

const sandbox = await startScaleSandbox(tempDir('bench-scale'), SIZE);
// As `npm start` runs it (`next start` with its NODE_OPTIONS), without npm's own process in the tree.
const dashboard = await startDashboard({ KUBECONFIG: sandbox.kubeconfig, MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard', NODE_OPTIONS });
const pid = dashboard.child.pid!;
const idle = treeMemory(pid);
const cookie = await signIn(dashboard.base, 'viewer');
// A dashboard that died (out of memory, say) is the finding, not the fetch error that follows it.
const exited = new Promise<string>((resolve) => dashboard.child.once('exit', (code, signal) => resolve(String(code ?? signal))));
const fetchPage = (path: string) =>
  fetchOk(`${dashboard.base}${path}`, { headers: { cookie } }).catch(async (error: unknown) => {
    const how = await Promise.race([exited, sleep(2000)]);
    throw how ? new BenchFailure(`the dashboard exited (${how}) while answering ${path}; its output above says why`) : error;
  });
const get = async (path: string) => {
  const t = performance.now();
  const response = await fetchPage(path);
  const bytes = (await response.arrayBuffer()).byteLength;
  return { ms: performance.now() - t, bytes };
};

const cold = performance.now();
const traffic = (await (await fetchPage('/api/traffic')).json()) as { items: unknown[] };
const coldFillMs = performance.now() - cold;
check(traffic.items.length === SIZE.virtualServices, `/api/traffic listed ${traffic.items.length} VirtualServices, not ${SIZE.virtualServices}`);
console.info(`bench: cold caches → first /api/traffic answer (${traffic.items.length} VirtualServices) in ${ms(coldFillMs)}`);

const pages = [
  '/api/traffic',
  '/api/resilience',
  '/api/security',
  '/api/kpis',
  '/api/audit',
  '/api/namespaces',
  '/api/cluster',
  '/api/readyz',
  // The configuration analysis over every kind it reads: the second model of the cluster the
  // row badges, the write gate and the Validation page share (started here if not yet).
  '/api/validation',
  '/api/traffic?namespace=bench-1',
  '/api/resilience?namespace=bench-1',
  '/api/security?namespace=bench-1',
];
const results: Record<string, { firstMs: number; warmP50Ms: number; bytes: number; rssMbAfter: number }> = {};
for (const page of pages) {
  const first = await get(page);
  const warm: number[] = [];
  for (let i = 0; i < WARM_SAMPLES; i++) warm.push((await get(page)).ms);
  const rssMbAfter = treeMemory(pid).rssKb / 1024;
  results[page] = { firstMs: first.ms, warmP50Ms: percentile(warm, 50), bytes: first.bytes, rssMbAfter };
  console.info(
    `  ${page.padEnd(36)} first ${ms(first.ms).padStart(10)}, then p50 ${ms(percentile(warm, 50)).padStart(10)}  (${(first.bytes / 1e6).toFixed(2)} MB answer; RSS after ${rssMbAfter.toFixed(0)} MB)`,
  );
}

const full = treeMemory(pid);
const mb = (kb: number) => kb / 1024;
const verdict = (ok: boolean) => (ok ? 'within target' : 'OVER TARGET');
console.info(
  `Dashboard RSS (${full.processes} processes, NODE_OPTIONS="${NODE_OPTIONS}"${NODE_OPTIONS === SHIPPED_NODE_OPTIONS ? ' as shipped' : ', not as shipped'}): ${mb(idle.rssKb).toFixed(0)} MB idle → ${mb(full.rssKb).toFixed(0)} MB with every cache full (peak ${mb(full.peakKb).toFixed(0)} MB); target ≤ ${TARGET.rssMb} MB: ${verdict(mb(full.rssKb) <= TARGET.rssMb)}`,
);
console.info(
  `Cold fill (first /api/traffic): ${(coldFillMs / 1000).toFixed(2)} s; target ≤ ${TARGET.coldFillS} s: ${verdict(coldFillMs / 1000 <= TARGET.coldFillS)}`,
);
// The streamed all-namespace answers are whole: every DestinationRule, every route.
const resilience = (await (await fetchPage('/api/resilience')).json()) as { rules: unknown[]; routes: unknown[] };
check(
  resilience.rules.length === SIZE.destinationRules && resilience.routes.length === 2 * SIZE.virtualServices,
  `/api/resilience listed ${resilience.rules.length} DestinationRules and ${resilience.routes.length} routes, not ${SIZE.destinationRules} and ${2 * SIZE.virtualServices}`,
);
report({
  quick,
  nodeOptions: NODE_OPTIONS,
  shippedNodeOptions: NODE_OPTIONS === SHIPPED_NODE_OPTIONS,
  size: SIZE,
  coldFillMs,
  rssMb: mb(full.rssKb),
  peakRssMb: mb(full.peakKb),
  idleRssMb: mb(idle.rssKb),
  targets: TARGET,
  pages: results,
});
await dashboard.stop();
await sandbox.stop();
process.exit(0);
