// What the benchmarks share: the quick mode, percentiles, checks that fail the bench, free
// ports, and the processes a bench starts (a sandbox, a production dashboard), each in its
// own process group that is ended when the bench exits, however it exits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `BENCH_QUICK=1`: small sizes, every code path, no timing verdicts (what CI runs). */
export const QUICK = process.env.BENCH_QUICK === '1';
/** The full-size value, or the quick one under `BENCH_QUICK=1`. */
export const sized = <T>(full: T, quick: T): T => (QUICK ? quick : full);

export const root = new URL('..', import.meta.url).pathname;

/** A broken bench: something did not work (as opposed to being slow). */
export class BenchFailure extends Error {}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new BenchFailure(message);
}

const fail = (error: unknown) => {
  console.error(`bench failed: ${error instanceof BenchFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

/** How long a step may take before the bench calls it broken (not slow: broken). */
export async function within<T>(seconds: number, what: string | (() => string), work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(() => reject(new BenchFailure(`${typeof what === 'string' ? what : what()} did not happen within ${seconds} s`)), seconds * 1000)),
  );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(samples: number[], p: number): number {
  check(samples.length > 0, 'no samples were taken');
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
export const ms = (v: number) => `${v.toFixed(1)} ms`;

/** The bench's machine-readable result, its last line of output. */
export const report = (results: Record<string, unknown>) => console.info(JSON.stringify({ quick: QUICK, ...results }));

/** Binds `port` on loopback for a moment (0: a port the OS picks): the port, or undefined when it is taken. */
function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

/** The port `variable` names (which must be free), or else a free one the OS picks. */
export async function portFrom(variable: string): Promise<number> {
  const value = process.env[variable];
  const wanted = Number(value || 0);
  check(Number.isInteger(wanted) && wanted >= 0 && wanted < 65536, `${variable}=${value} is not a port number`);
  const port = await probe(wanted);
  check(port, wanted ? `port ${wanted} is in use: set ${variable} to another port, or unset it to use a free one` : 'the OS gave no free port');
  return port;
}

const children = new Set<ChildProcess>();
const endGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    process.kill(-child.pid!, signal); // the whole group: `next start` forks its server
  } catch {
    child.kill(signal); // not a group leader (see adopt), or already gone
  }
};
/** Ends `child` (started elsewhere, e.g. Prometheus) when the bench exits, as the bench's own. */
export const adopt = (child: ChildProcess) => void children.add(child);
process.on('exit', () => children.forEach((c) => endGroup(c, 'SIGTERM')));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

export interface Started {
  child: ChildProcess;
  /** The match of the readiness pattern in the process's standard output. */
  ready: RegExpExecArray;
  stop: () => Promise<void>;
}

/**
 * Starts `command` in a process group of its own and waits until its standard output matches
 * `ready`; a process that exits first, or is not ready within `seconds`, fails the bench.
 */
export async function startProcess(
  name: string,
  command: string,
  args: string[],
  ready: RegExp,
  options: { env?: Record<string, string>; seconds?: number } = {},
): Promise<Started> {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  children.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      endGroup(child, 'SIGTERM');
      await exited;
    }
    children.delete(child);
  };
  let output = '';
  const match = new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (output.length > 100_000) return; // ready long ago; keep draining the pipe
      output += chunk.toString();
      const m = ready.exec(output);
      if (m) resolve(m);
    });
    child.once('exit', (code, signal) => reject(new BenchFailure(`${name} exited (${code ?? signal}) before it was ready: ${output.slice(-1000)}`)));
  });
  return { child, ready: await within(options.seconds ?? 120, `${name} ready`, match), stop };
}

/** `sandbox/main.ts` on a port the OS picks; its kubeconfig (and TLS file) in `dir`. */
export async function startSandbox(dir: string, args: string[], ready = /Kubernetes API on (\S+)[^]*kubeconfig/) {
  const kubeconfig = join(dir, 'kubeconfig');
  const started = await startProcess('sandbox', process.execPath, [join(root, 'sandbox/main.ts'), '--port', '0', '--kubeconfig', kubeconfig, ...args], ready);
  return { ...started, url: started.ready[1]!, kubeconfig };
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `meshdeck-${prefix}-`));

/** The production dashboard (`next start` of `.next`, built first when missing) on a free port or `BENCH_DASHBOARD_PORT`. */
export async function startDashboard(env: Record<string, string>) {
  if (!existsSync(join(root, '.next/BUILD_ID'))) {
    console.info('bench: building the dashboard first (next build)');
    check(spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' }).status === 0, 'next build failed');
  }
  const port = await portFrom('BENCH_DASHBOARD_PORT');
  const base = `http://127.0.0.1:${port}`;
  const started = await startProcess(
    'dashboard',
    process.execPath,
    [join(root, 'node_modules/next/dist/bin/next'), 'start', '--hostname', '127.0.0.1', '--port', String(port)],
    /Ready/,
    {
      env: {
        NEXT_TELEMETRY_DISABLED: '1',
        MESHDECK_EMERGENCY_RECONCILER: '0',
        MESHDECK_DEMO_AUTH: '1',
        NEXTAUTH_SECRET: 'bench-secret-0123456789abcdef0123456789',
        NEXTAUTH_URL: base,
        ...env,
      },
    },
  );
  return { ...started, base };
}

/** A fetch that fails the bench unless the answer has `status`. */
export async function fetchOk(url: string, init: RequestInit = {}, status = 200): Promise<Response> {
  const response = await fetch(url, init);
  if (response.status !== status)
    throw new BenchFailure(`${init.method ?? 'GET'} ${url} answered ${response.status} (expected ${status}): ${(await response.text()).slice(0, 500)}`);
  return response;
}

/** Signs in as a demo user (next-auth's credentials flow); the cookie header to send. */
export async function signIn(base: string, username: string): Promise<string> {
  const csrf = await fetchOk(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const login = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, username, password: process.env.MESHDECK_DEMO_PASSWORD ?? 'meshdeck-demo', json: 'true' }),
  });
  const session = login.headers.getSetCookie().map((c) => c.split(';')[0]!);
  check(
    session.some((c) => c.includes('session-token')),
    `signing in as ${username} failed (${login.status})`,
  );
  return [csrfCookie, ...session].join('; ');
}
