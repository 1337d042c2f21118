// Runs Debian's real Prometheus against the simulator: a generated config that scrapes
// /metrics and loads the rule groups of the PrometheusRule in k8s/istio.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { durationMs } from '../lib/mesh/duration.ts';
import { defaultManifestDir } from './sandbox.ts';

export interface PrometheusOptions {
  dir: string; // working directory for config, rules and data
  target: string; // host:port of the simulator's /metrics
  port?: number;
  scrapeInterval?: string;
  /** Divides every alert's `for` (integration tests cannot wait 10 minutes). */
  forScale?: number;
  binary?: string;
}

function scaleDuration(value: string, scale: number): string {
  const ms = durationMs(value);
  if (ms === undefined) return value;
  return `${Math.max(1, Math.round(ms / scale / 1000))}s`;
}

/** The rule groups of every PrometheusRule in the manifests, ready for Prometheus' rule_files. */
export function ruleGroups(manifestDir = defaultManifestDir, forScale = 1): unknown[] {
  const text = readFileSync(join(manifestDir, 'observability-complete.yaml'), 'utf8');
  const rules = parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((o) => o?.kind === 'PrometheusRule');
  const groups = rules.flatMap((r) => (r.spec.groups ?? []) as { rules: { for?: string }[] }[]);
  if (forScale === 1) return groups;
  return groups.map((g) => ({ ...g, rules: g.rules.map((r) => (r.for ? { ...r, for: scaleDuration(r.for, forScale) } : r)) }));
}

export function findPrometheus(): string | undefined {
  for (const candidate of [process.env.PROMETHEUS_BIN, '/usr/bin/prometheus', '/usr/local/bin/prometheus']) {
    if (candidate && spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  return undefined;
}

export async function startPrometheus(options: PrometheusOptions): Promise<{ url: string; process: ChildProcess; stop: () => Promise<void> }> {
  const binary = options.binary ?? findPrometheus();
  if (!binary) throw new Error('prometheus is not installed: apt-get install prometheus');
  const dir = resolve(options.dir);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const interval = options.scrapeInterval ?? '5s';
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: ruleGroups(defaultManifestDir, options.forScale ?? 1) }));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: interval, evaluation_interval: interval },
      rule_files: [join(dir, 'rules.yaml')],
      scrape_configs: [{ job_name: 'meshdeck-sandbox-mesh', static_configs: [{ targets: [options.target] }] }],
    }),
  );
  const port = options.port ?? 9090;
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=6h',
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr.slice(-500)}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('prometheus did not become ready within 20 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}
