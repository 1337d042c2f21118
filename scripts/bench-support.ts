// What the benchmarks share: the quick mode, percentiles, checks that fail the bench, free
// ports, and the processes a bench starts (a sandbox, a production dashboard), each in its
// own process group that is ended when the bench exits, however it exits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
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
export async function startSandbox(dir: string, args: string[], ready = /Kubernetes API on (\S+)[^]*kubeconfig/, seconds = 120) {
  const kubeconfig = join(dir, 'kubeconfig');
  const started = await startProcess('sandbox', process.execPath, [join(root, 'sandbox/main.ts'), '--port', '0', '--kubeconfig', kubeconfig, ...args], ready, {
    seconds,
  });
  return { ...started, url: started.ready[1]!, kubeconfig };
}

/** How big a cluster the large-cluster benches load. */
export interface ScaleSize {
  namespaces: number;
  virtualServices: number;
  destinationRules: number;
  pods: number;
  services: number;
}
/** The cluster of issue 16's measurements: 10,000 VirtualServices and 10,000 DestinationRules in 200 namespaces. */
export const SCALE_SIZE: ScaleSize = { namespaces: 200, virtualServices: 10_000, destinationRules: 10_000, pods: 5_000, services: 2_000 };
/** Its quick-mode (CI) counterpart: every kind of object, few of them. */
export const SCALE_SIZE_QUICK: ScaleSize = { namespaces: 10, virtualServices: 200, destinationRules: 200, pods: 100, services: 40 };

/** As `kubectl apply` leaves it: the applied object, again, in an annotation. */
function applied<T extends { metadata: Record<string, unknown> }>(object: T): T {
  return { ...object, metadata: { ...object.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(object) } } };
}

/**
 * Writes `dir/bench.yaml`: namespaces `bench-N`, Services and Pods (stable and canary, with
 * sidecars), VirtualServices `route-N` (a header match and a 90/10 split) and DestinationRules
 * `policy-N` (stable and canary subsets), the Istio objects as `kubectl apply` leaves them.
 */
export function writeScaleManifests(dir: string, size: ScaleSize): void {
  const namespace = (i: number) => `bench-${i % size.namespaces}`;
  const service = (i: number) => `svc-${Math.floor(i / size.namespaces) % Math.max(1, size.services / size.namespaces)}`;
  const docs: unknown[] = [];
  for (let n = 0; n < size.namespaces; n++)
    docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}`, labels: { 'istio-injection': 'enabled' } } });
  for (let i = 0; i < size.services; i++) {
    docs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service(i), namespace: namespace(i), labels: { app: service(i) } },
      spec: { selector: { app: service(i) }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
    });
  }
  for (let i = 0; i < size.pods; i++) {
    const app = service(i % size.services);
    const version = i % 4 === 0 ? 'canary' : 'stable';
    docs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${app}-${version}-${i.toString(36).padStart(5, '0')}`,
        namespace: namespace(i % size.services),
        labels: { app, version, 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': app },
        annotations: {
          'sidecar.istio.io/status': JSON.stringify({
            initContainers: ['istio-init'],
            containers: ['istio-proxy'],
            volumes: ['istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'],
            imagePullSecrets: null,
          }),
        },
      },
      spec: {
        containers: [
          {
            name: app,
            image: `registry.example/${app}:1.4.2`,
            ports: [{ containerPort: 8080 }],
            env: [{ name: 'VERSION', value: version }],
            resources: { requests: { cpu: '100m', memory: '128Mi' } },
          },
          {
            name: 'istio-proxy',
            image: 'docker.io/istio/proxyv2:1.30.3',
            args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning', '--log_output_level=default:info'],
            ports: [{ containerPort: 15090, name: 'http-envoy-prom' }],
            resources: { requests: { cpu: '10m', memory: '40Mi' } },
          },
        ],
      },
    });
  }
  for (let i = 0; i < size.virtualServices; i++) {
    const host = service(i);
    docs.push(
      applied({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: `route-${i}`, namespace: namespace(i) },
        spec: {
          hosts: [`route-${i}`],
          http: [
            { name: 'beta', match: [{ headers: { 'x-user-tier': { exact: 'beta' } } }], route: [{ destination: { host, subset: 'canary' } }], timeout: '30s' },
            {
              name: 'default',
              route: [
                { destination: { host, subset: 'stable' }, weight: 90 },
                { destination: { host, subset: 'canary' }, weight: 10 },
              ],
              retries: { attempts: 2, perTryTimeout: '10s' },
            },
          ],
        },
      }),
    );
  }
  for (let i = 0; i < size.destinationRules; i++) {
    docs.push(
      applied({
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: `policy-${i}`, namespace: namespace(i) },
        spec: {
          host: service(i),
          trafficPolicy: {
            connectionPool: { http: { http1MaxPendingRequests: 100 } },
            outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
          },
          subsets: [
            { name: 'stable', labels: { version: 'stable' } },
            { name: 'canary', labels: { version: 'canary' } },
          ],
        },
      }),
    );
  }
  // JSON is YAML: one document per object, which the sandbox parses much faster than block style.
  writeFileSync(join(dir, 'bench.yaml'), docs.map((d) => JSON.stringify(d)).join('\n---\n'));
}

/** A sandbox loaded with `writeScaleManifests(dir, size)`; loading 10,000s of objects takes a while. */
export async function startScaleSandbox(dir: string, size: ScaleSize, args: string[] = []) {
  writeScaleManifests(dir, size);
  const loading = performance.now();
  const sandbox = await startSandbox(dir, ['--manifests', dir, ...args], undefined, 600);
  console.info(
    `bench: ${size.virtualServices} VirtualServices, ${size.destinationRules} DestinationRules, ${size.pods} Pods, ${size.services} Services in ${size.namespaces} namespaces loaded in ${ms(performance.now() - loading)}`,
  );
  return sandbox;
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
