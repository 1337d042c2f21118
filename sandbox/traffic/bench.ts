// `npm run bench:traffic`: CPU the simulator needs at its default rate, measured on the
// sandbox process from /proc while a scraper pulls /metrics every 5 s as Prometheus does.
// BENCH_QUICK=1: 1 s of warm-up, 3 s measured, a scrape every second.
import { readFileSync } from 'node:fs';
import { check, fetchOk, report, sized, sleep, startSandbox, tempDir } from '../../scripts/bench-support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? sized(30, 3));
const [WARM_UP_MS, SCRAPE_MS] = sized([5000, 5000], [1000, 1000]);
const sandbox = await startSandbox(tempDir('traffic-bench'), ['--traffic', '--traffic-port', '0'], /traffic at (\d+) req\/s; metrics (\S+)\/metrics/);
const [rate, trafficUrl] = [Number(sandbox.ready[1]), sandbox.ready[2]!];

const ticksPerSecond = 100; // USER_HZ on Linux
const cpuTicks = () => {
  const fields = readFileSync(`/proc/${sandbox.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};
const scrape = async () => (await fetchOk(`${trafficUrl}/metrics`)).text();
/** Requests the simulated mesh has served so far (every istio_requests_total series). */
const requests = (metrics: string) =>
  metrics
    .split('\n')
    .filter((l) => l.startsWith('istio_requests_total{'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

await sleep(WARM_UP_MS); // warm-up: startup and the first seconds of traffic
const before = requests(await scrape());
let scrapeError: unknown;
const scraper = setInterval(() => void scrape().catch((e: unknown) => (scrapeError ??= e)), SCRAPE_MS);
const startTicks = cpuTicks();
const started = performance.now();
await sleep(SECONDS * 1000);
const cpuSeconds = (cpuTicks() - startTicks) / ticksPerSecond;
const wall = (performance.now() - started) / 1000;
clearInterval(scraper);
if (scrapeError) throw scrapeError;
const metrics = await scrape();
const served = requests(metrics) - before;
const series = metrics.split('\n').filter((l) => l && !l.startsWith('#')).length;
await sandbox.stop();
check(served > 0, `the simulator served no requests in ${wall.toFixed(0)} s (istio_requests_total did not grow)`);

const percent = (100 * cpuSeconds) / wall;
console.info(`traffic: ${rate} req/s for ${wall.toFixed(0)} s (API server, simulator and /metrics every ${SCRAPE_MS / 1000} s in one process)`);
console.info(`traffic: CPU ${percent.toFixed(1)}% of one core; /metrics has ${series} series (${(metrics.length / 1e6).toFixed(1)} MB)`);
report({ rate, seconds: Math.round(wall), cpuPercentOfOneCore: Number(percent.toFixed(1)), metricSeries: series, requestsCounted: Math.round(served) });
