// `npm run bench:traffic`: CPU the simulator needs at its default rate, measured on the
// sandbox process from /proc while a scraper pulls /metrics every 5 s as Prometheus does.
// BENCH_QUICK=1: 1 s of warm-up, 3 s measured, a scrape every second.
//
// `npm run bench:traffic -- --generate-mesh workloads=1000,namespaces=50,edges=3000` measures a
// generated mesh instead, scraped by the real Prometheus (when installed) rather than the bench:
// the simulator's and Prometheus' CPU, requests/s, series, scrape size and time, and how many
// of the plan's workload edges had traffic in the last minute.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adopt, check, fetchOk, portFrom, report, sized, sleep, startSandbox, tempDir } from '../../scripts/bench-support.ts';
import { findPrometheus, startPrometheus } from '../prometheus.ts';

const { values } = parseArgs({ options: { 'generate-mesh': { type: 'string' } } });
const meshSpec = values['generate-mesh'];
const SECONDS = Number(process.env.BENCH_SECONDS ?? sized(30, 3));
// A generated mesh warms up for a minute: every edge's series exists before measuring.
const [WARM_UP_MS, SCRAPE_MS] = sized([meshSpec ? 60_000 : 5000, 5000], [1000, 1000]);
const dir = tempDir('traffic-bench');
const sandboxArgs = meshSpec ? ['--generate-mesh', meshSpec, '--traffic-port', '0'] : ['--traffic', '--traffic-port', '0'];
const sandbox = await startSandbox(dir, sandboxArgs, /traffic at (\d+) req\/s; metrics (\S+)\/metrics/, 300);
const [rate, trafficUrl] = [Number(sandbox.ready[1]), sandbox.ready[2]!];
const plannedEdges = meshSpec ? Number(/"edges":(\d+)/.exec(sandbox.ready.input)?.[1]) : undefined;

const ticksPerSecond = 100; // USER_HZ on Linux
const cpuTicks = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};
const scrape = async () => (await fetchOk(`${trafficUrl}/metrics`)).text();
/** Requests the simulated mesh has served so far, each hop once (every istio_requests_total series, both reporters). */
const requests = (metrics: string) =>
  metrics
    .split('\n')
    .filter((l) => l.startsWith('istio_requests_total{'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

// A generated mesh is scraped by the real Prometheus when there is one; the seed by the bench.
const prometheusBinary = meshSpec ? findPrometheus() : undefined;
const prometheus = prometheusBinary
  ? await startPrometheus({
      dir: join(dir, 'prometheus'),
      target: new URL(trafficUrl).host,
      port: await portFrom('BENCH_PROMETHEUS_PORT'),
      scrapeInterval: `${SCRAPE_MS / 1000}s`,
    })
  : undefined;
if (prometheus) adopt(prometheus.process);
const promql = async (query: string) => {
  const body = (await (await fetchOk(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  return Number(body.data.result[0]?.value[1] ?? NaN);
};

await sleep(WARM_UP_MS); // warm-up: startup and the first seconds of traffic
const before = requests(await scrape());
let scrapeError: unknown;
const scraper = prometheus ? undefined : setInterval(() => void scrape().catch((e: unknown) => (scrapeError ??= e)), SCRAPE_MS);
const startTicks = cpuTicks(sandbox.child.pid!);
const startPrometheusTicks = prometheus ? cpuTicks(prometheus.process.pid!) : 0;
const started = performance.now();
await sleep(SECONDS * 1000);
const cpuSeconds = (cpuTicks(sandbox.child.pid!) - startTicks) / ticksPerSecond;
const prometheusCpuSeconds = prometheus ? (cpuTicks(prometheus.process.pid!) - startPrometheusTicks) / ticksPerSecond : 0;
const wall = (performance.now() - started) / 1000;
clearInterval(scraper);
if (scrapeError) throw scrapeError;
const scrapeStart = performance.now();
const metrics = await scrape();
const scrapeMs = performance.now() - scrapeStart;
const served = requests(metrics) - before;
const series = metrics.split('\n').filter((l) => l && !l.startsWith('#')).length;

let scraped: Record<string, number> = {};
if (prometheus) {
  // Workload edges with traffic in the last minute: caller workload → destination workload (or host).
  const edges = `count(count by (source_workload_namespace, source_workload, destination_workload, destination_service) (
    rate(istio_requests_total{source_workload!~"unknown|istio-ingressgateway"}[1m]) > 0 or rate(istio_tcp_connections_opened_total[1m]) > 0))`;
  scraped = {
    prometheusCpuPercentOfOneCore: Number(((100 * prometheusCpuSeconds) / wall).toFixed(1)),
    prometheusScrapeSeconds: Number((await promql('max_over_time(scrape_duration_seconds[1m])')).toFixed(2)),
    prometheusSamplesPerScrape: await promql('scrape_samples_scraped'),
    prometheusFailedScrapesInLastMinute: await promql('count_over_time(up[1m]) - sum_over_time(up[1m])'),
    // Prometheus does not scrape itself here: its own /metrics has the head's size.
    prometheusHeadSeries: Number(/^prometheus_tsdb_head_series (\S+)$/m.exec(await (await fetchOk(`${prometheus.url}/metrics`)).text())?.[1]),
    edgesWithTrafficInLastMinute: await promql(edges),
  };
  await prometheus.stop();
}
await sandbox.stop();

const percent = (100 * cpuSeconds) / wall;
const size = `${(metrics.length / 1e6).toFixed(1)} MB`;
console.info(
  `traffic: ${meshSpec ? `generated mesh (${meshSpec}), gateway at ` : ''}${rate} req/s for ${wall.toFixed(0)} s (API server, simulator and /metrics every ${SCRAPE_MS / 1000} s in one process)`,
);
console.info(
  `traffic: CPU ${percent.toFixed(1)}% of one core; ${(served / wall).toFixed(0)} reports/s; /metrics has ${series} series (${size}, served in ${scrapeMs.toFixed(0)} ms)`,
);
if (prometheus) console.info(`traffic: Prometheus ${JSON.stringify(scraped)}${plannedEdges !== undefined ? ` (of ${plannedEdges} planned edges)` : ''}`);
check(served > 0, `the simulator served no requests in ${wall.toFixed(0)} s (istio_requests_total did not grow)`);
// Broken, not unlucky: an edge short of the plan can be chance; many mean lost calls.
if (plannedEdges !== undefined && prometheus && !sized(false, true))
  check(
    scraped.edgesWithTrafficInLastMinute! >= plannedEdges * 0.99,
    `only ${scraped.edgesWithTrafficInLastMinute} of ${plannedEdges} edges had traffic in the last minute`,
  );
report({
  rate,
  seconds: Math.round(wall),
  cpuPercentOfOneCore: Number(percent.toFixed(1)),
  metricSeries: series,
  metricBytes: metrics.length,
  scrapeMs: Math.round(scrapeMs),
  requestsCounted: Math.round(served),
  reportsPerSecond: Math.round(served / wall),
  ...(meshSpec ? { mesh: meshSpec, plannedEdges, ...scraped } : {}),
});
