// Prometheus for the e2e tests: Debian's binary scraping the e2e sandbox's traffic every second.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus } from '../sandbox/prometheus.ts';

const [target, port] = [process.argv[2] ?? '127.0.0.1:16690', Number(process.argv[3] ?? 19190)];
const prometheus = await startPrometheus({ dir: mkdtempSync(join(tmpdir(), 'meshdeck-e2e-prom-')), target, port, scrapeInterval: '1s' });
console.info(`e2e prometheus on ${prometheus.url}, scraping ${target}`);
const stop = () => void prometheus.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
