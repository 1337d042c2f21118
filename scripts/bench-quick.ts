// `npm run test:bench`: every `bench:*` script of package.json in quick mode (BENCH_QUICK=1),
// one after the other, so that a bench that rots fails CI. Timing figures never fail it;
// a bench fails when something it exercises is broken. One summary line per bench at the end.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adopt, root } from './bench-support.ts';

const LIMIT_S = Number(process.env.BENCH_QUICK_LIMIT_S ?? 300); // per bench: a hang is a failure
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const benches = Object.keys(scripts).filter((name) => name.startsWith('bench:'));

interface Outcome {
  name: string;
  ok: boolean;
  seconds: number;
  why: string;
}
const outcomes: Outcome[] = [];
const started = performance.now();
for (const name of benches) {
  console.info(`\n── ${name} (BENCH_QUICK=1)`);
  const t = performance.now();
  const child = spawn('npm', ['run', name, '--silent'], {
    cwd: root,
    env: { ...process.env, BENCH_QUICK: '1' },
    stdio: ['ignore', 'inherit', 'pipe'],
    detached: true,
  });
  adopt(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, LIMIT_S * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const seconds = (performance.now() - t) / 1000;
  const failure = /bench failed: (.*)/.exec(stderr)?.[1] ?? stderr.trim().split('\n').at(-1) ?? '';
  outcomes.push({
    name,
    ok: code === 0,
    seconds,
    why: timedOut ? `did not finish within ${LIMIT_S} s (BENCH_QUICK_LIMIT_S)` : code === 0 ? '' : `exit ${code}: ${failure}`,
  });
}

const width = Math.max(...benches.map((b) => b.length));
console.info('\ntest:bench (quick mode):');
for (const o of outcomes)
  console.info(`  ${o.name.padEnd(width)}  ${o.ok ? 'ok    ' : 'FAILED'}  ${o.seconds.toFixed(1).padStart(5)} s${o.why ? `  ${o.why}` : ''}`);
const failed = outcomes.filter((o) => !o.ok).length;
console.info(`test:bench: ${benches.length - failed} of ${benches.length} benches passed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);
