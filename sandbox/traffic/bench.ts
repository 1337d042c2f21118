// `npm run bench:traffic`: CPU the simulator needs at its default rate, measured on the
// sandbox process from /proc while a scraper pulls /metrics every 5 s as Prometheus does.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const here = new URL('.', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'meshdeck-traffic-bench-'));
const child = spawn(process.execPath, [join(here, '..', 'main.ts'), '--port', '0', '--traffic', '--traffic-port', '0', '--kubeconfig', join(dir, 'kubeconfig')], { stdio: ['ignore', 'pipe', 'inherit'] });
const { trafficUrl, rate } = await new Promise<{ trafficUrl: string; rate: number }>((resolve) => {
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const m = /traffic at (\d+) req\/s; metrics (\S+)\/metrics/.exec(out);
    if (m) resolve({ rate: Number(m[1]), trafficUrl: m[2]! });
  });
});

const ticksPerSecond = 100; // USER_HZ on Linux
const cpuTicks = () => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};
const scrape = async () => (await fetch(`${trafficUrl}/metrics`)).text();

await new Promise((r) => setTimeout(r, 5000)); // warm-up: startup and the first seconds of traffic
const scraper = setInterval(() => void scrape(), 5000);
const startTicks = cpuTicks();
const started = performance.now();
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const cpuSeconds = (cpuTicks() - startTicks) / ticksPerSecond;
const wall = (performance.now() - started) / 1000;
clearInterval(scraper);
const metrics = await scrape();
const series = metrics.split('\n').filter((l) => l && !l.startsWith('#')).length;
child.kill('SIGTERM');

const percent = (100 * cpuSeconds) / wall;
console.info(`traffic: ${rate} req/s for ${wall.toFixed(0)} s (API server, simulator and /metrics every 5 s in one process)`);
console.info(`traffic: CPU ${percent.toFixed(1)}% of one core; /metrics has ${series} series (${(metrics.length / 1e6).toFixed(1)} MB)`);
console.info(JSON.stringify({ rate, seconds: Math.round(wall), cpuPercentOfOneCore: Number(percent.toFixed(1)), metricSeries: series }));
