// `npm run bench:analyze`: the configuration analysis on a large cluster, in process (no API
// server: the analysis is pure). The bench:scale cluster (10,000 VirtualServices, 10,000
// DestinationRules, 5,000 Pods, 2,000 Services in 200 namespaces) read back from its manifest
// by the CLI's loader, then: a full analysis with every registered analyzer (target ≤ 2 s), and
// the incremental re-analysis after one change (target ≤ 50 ms; median and p95 over 50 changes
// of four kinds: a VirtualService weight edit, a DestinationRule subset removal, a Pod deletion,
// a Service port change). Then the time each analyzer took, and how many checks each change
// re-ran per analyzer, so hot spots show. Timing verdicts fail the bench in full mode only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, ms, percentile, QUICK, report, SCALE_SIZE, SCALE_SIZE_QUICK, tempDir, writeScaleManifests } from './bench-support.ts';
import { parseObjects } from '@/lib/analysis/cli/documents';
import { Analysis, type Change } from '@/lib/analysis/engine';
import { keyOf } from '@/lib/analysis/kinds';
import { ANALYZERS } from '@/lib/analysis/registry';
import type { AnalysisObject, Analyzer } from '@/lib/analysis/types';

const SIZE = QUICK ? SCALE_SIZE_QUICK : SCALE_SIZE;
// BENCH_SKIP_ANALYZERS=id,id: measure without some analyzers (what would the rest cost?).
const skipped = new Set((process.env.BENCH_SKIP_ANALYZERS ?? '').split(',').filter(Boolean));
for (const id of skipped)
  check(
    ANALYZERS.some((a) => a.id === id),
    `BENCH_SKIP_ANALYZERS names ${id}, which no registered analyzer is`,
  );
const analyzers = ANALYZERS.filter((a) => !skipped.has(a.id));
const TARGET = { fullMs: 2000, changeMs: 50 };
const FULL_RUNS = QUICK ? 1 : 3;
const CHANGES = 50;

const dir = tempDir('bench-analyze');
writeScaleManifests(dir, SIZE);
const loadStarted = performance.now();
const { objects, problems } = parseObjects(readFileSync(join(dir, 'bench.yaml'), 'utf8'), 'bench.yaml');
const loadMs = performance.now() - loadStarted;
check(problems.length === 0, `the bench manifest did not parse: ${problems[0]?.message}`);
// A cluster with nothing to report would leave the reporting paths idle: one VirtualService in
// a hundred routes its beta users to a subset no DestinationRule defines (IST0101).
const BROKEN_EVERY = 100;
let broken = 0;
for (const object of objects) {
  if (object.kind !== 'VirtualService' || Number(object.metadata.name.slice('route-'.length)) % BROKEN_EVERY !== 0) continue;
  const beta = (object.spec as { http: { route: { destination: { subset?: string } }[] }[] }).http[0]!.route[0]!.destination;
  beta.subset = 'preview';
  broken++;
}
console.info(
  `bench: ${SIZE.virtualServices} VirtualServices, ${SIZE.destinationRules} DestinationRules, ${SIZE.pods} Pods, ${SIZE.services} Services in ${SIZE.namespaces} namespaces (${objects.length} objects, ${broken} routes to an undefined subset) read in ${ms(loadMs)}; ${analyzers.length} analyzers${skipped.size ? ` (skipped: ${[...skipped].join(', ')})` : ''}`,
);

// ---- full analysis ------------------------------------------------------------------------
const fullMs: number[] = [];
let analysis: Analysis | undefined;
for (let run = 0; run < FULL_RUNS; run++) {
  const started = performance.now();
  analysis = new Analysis(analyzers, objects);
  analysis.findings();
  fullMs.push(performance.now() - started);
}
const findingCount = analysis!.findings().length;
check(
  analysis!.findings().filter((f) => f.code === 'IST0101' && f.message.includes('+preview')).length === broken,
  `the full analysis did not report each of the ${broken} routes to the undefined subset`,
);

// ---- time per analyzer ----------------------------------------------------------------------
/** The analyzers with a stopwatch and a counter around each check (same ids, kinds and shared index definitions). */
function instrumented(analyzers: readonly Analyzer[]) {
  const stats = new Map(analyzers.map((a) => [a.id, { ms: 0, checks: 0 }]));
  const wrapped = analyzers.map((analyzer): Analyzer => ({
    ...analyzer,
    check(object, context) {
      const stat = stats.get(analyzer.id)!;
      const started = performance.now();
      try {
        analyzer.check(object, context);
      } finally {
        stat.ms += performance.now() - started;
        stat.checks++;
      }
    },
  }));
  const reset = () => stats.forEach((s) => Object.assign(s, { ms: 0, checks: 0 }));
  return { wrapped, stats, reset };
}
const probe = instrumented(analyzers);
const probed = new Analysis(probe.wrapped, objects);
const perAnalyzerFull = [...probe.stats].map(([id, s]) => ({ id, ...s }));

// ---- incremental changes --------------------------------------------------------------------
/** A small deterministic generator (mulberry32): the same 50 changes on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(17);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const pools = { VirtualService: byKind('VirtualService'), DestinationRule: byKind('DestinationRule'), Pod: byKind('Pod'), Service: byKind('Service') };
const used = new Set<string>();
function pick(pool: AnalysisObject[]): AnalysisObject {
  for (;;) {
    const object = pool[Math.floor(next() * pool.length)]!;
    if (!used.has(keyOf(object))) return (used.add(keyOf(object)), object);
  }
}
const clone = <T>(value: T): T => structuredClone(value);
type Spec = Record<string, unknown> & {
  http?: { route?: { weight?: number }[] }[];
  subsets?: { name: string }[];
  ports?: { port: number; targetPort?: number }[];
};
const makers: { name: string; make(): Change }[] = [
  {
    name: 'VirtualService weight edit',
    make() {
      const vs = clone(pick(pools.VirtualService));
      const split = (vs.spec as Spec).http!.at(-1)!.route!;
      const canary = 1 + Math.floor(next() * 49);
      split[0]!.weight = 100 - canary;
      split[1]!.weight = canary;
      return { type: 'upsert', object: vs };
    },
  },
  {
    name: 'DestinationRule subset removal',
    make() {
      const rule = clone(pick(pools.DestinationRule));
      (rule.spec as Spec).subsets = (rule.spec as Spec).subsets!.filter((s) => s.name !== 'canary');
      return { type: 'upsert', object: rule };
    },
  },
  { name: 'Pod deletion', make: () => ({ type: 'delete', object: pick(pools.Pod) }) },
  {
    name: 'Service port change',
    make() {
      const service = clone(pick(pools.Service));
      (service.spec as Spec).ports![0]!.port = 9090;
      return { type: 'upsert', object: service };
    },
  },
];
const changes = Array.from({ length: CHANGES }, (_, i) => ({ maker: makers[i % makers.length]!.name, change: makers[i % makers.length]!.make() }));

const changeMs: Record<string, number[]> = Object.fromEntries(makers.map((m) => [m.name, []]));
const allChangeMs: number[] = [];
let findingsMoved = 0;
for (const { maker, change } of changes) {
  const started = performance.now();
  const diff = analysis!.apply([change]);
  const elapsed = performance.now() - started;
  changeMs[maker]!.push(elapsed);
  allChangeMs.push(elapsed);
  findingsMoved += diff.added.length + diff.removed.length;
}
// The same changes on the instrumented analysis: which analyzers' checks each change re-ran.
probe.reset();
for (const { change } of changes) probed.apply([change]);
const perAnalyzerChange = [...probe.stats].map(([id, s]) => ({ id, ...s }));

// ---- report -------------------------------------------------------------------------------
const verdict = (ok: boolean) => (ok ? 'within target' : 'OVER TARGET');
const fullCold = fullMs[0]!;
const fullBest = Math.min(...fullMs);
const changeP50 = percentile(allChangeMs, 50);
const changeP95 = percentile(allChangeMs, 95);
console.info(
  `\nFull analysis (${objects.length} objects → ${findingCount} findings): first ${ms(fullCold)}${FULL_RUNS > 1 ? `, best of ${FULL_RUNS} ${ms(fullBest)}` : ''}; target ≤ ${TARGET.fullMs} ms: ${verdict(fullCold <= TARGET.fullMs)}`,
);
console.info(
  `Incremental, one change (${CHANGES} changes, ${findingsMoved} findings added or removed): p50 ${ms(changeP50)}, p95 ${ms(changeP95)}; target ≤ ${TARGET.changeMs} ms: ${verdict(changeP95 <= TARGET.changeMs)}`,
);
console.info('\n  change                            p50          p95          max');
for (const maker of makers) {
  const samples = changeMs[maker.name]!;
  console.info(
    `  ${maker.name.padEnd(32)}${ms(percentile(samples, 50)).padStart(10)}   ${ms(percentile(samples, 95)).padStart(10)}   ${ms(Math.max(...samples)).padStart(10)}`,
  );
}
const totalAnalyzerMs = perAnalyzerFull.reduce((sum, a) => sum + a.ms, 0);
console.info(`\n  analyzer (slowest first)                          full: ms    share    checks   ${CHANGES} changes: ms   checks re-run`);
for (const a of [...perAnalyzerFull].sort((x, y) => y.ms - x.ms)) {
  const change = perAnalyzerChange.find((c) => c.id === a.id)!;
  console.info(
    `  ${a.id.padEnd(48)}${a.ms.toFixed(1).padStart(10)}  ${((100 * a.ms) / Math.max(totalAnalyzerMs, 1e-9)).toFixed(1).padStart(6)}%  ${String(a.checks).padStart(8)}   ${change.ms.toFixed(1).padStart(14)}   ${String(change.checks).padStart(13)}`,
  );
}
console.info(
  `  (inside checks: ${totalAnalyzerMs.toFixed(0)} ms, measured in a separate instrumented run; the rest of a full analysis is the engine: indexes, one context and dependency record per check, sorting)`,
);

report({
  size: SIZE,
  objects: objects.length,
  analyzers: analyzers.length,
  skipped: [...skipped],
  loadMs,
  fullMs,
  findings: findingCount,
  change: {
    p50Ms: changeP50,
    p95Ms: changeP95,
    byKind: Object.fromEntries(makers.map((m) => [m.name, { p50Ms: percentile(changeMs[m.name]!, 50), p95Ms: percentile(changeMs[m.name]!, 95) }])),
  },
  perAnalyzer: perAnalyzerFull.map((a) => ({
    ...a,
    changeMs: perAnalyzerChange.find((c) => c.id === a.id)!.ms,
    changeChecks: perAnalyzerChange.find((c) => c.id === a.id)!.checks,
  })),
  targets: TARGET,
});
const missed = !QUICK && (fullCold > TARGET.fullMs || changeP95 > TARGET.changeMs);
if (missed)
  console.error(`bench failed: a target was missed (full ${ms(fullCold)} ≤ ${TARGET.fullMs} ms, change p95 ${ms(changeP95)} ≤ ${TARGET.changeMs} ms)`);
process.exit(missed ? 1 : 0);
