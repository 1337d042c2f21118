// `npm run demo`: the sandbox mesh with live traffic, a real Prometheus scraping it, and
// the dashboard pointed at all of them, on loopback. Ctrl-C stops everything. The sandbox
// keeps its objects in .sandbox/state.json.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { findPrometheus, startPrometheus } from '../sandbox/prometheus.ts';

const args = new Set(process.argv.slice(2));
const port = process.env.PORT ?? '3000';
const sandboxPort = process.env.SANDBOX_PORT ?? '6443';
const kubeconfig = resolve('.sandbox/kubeconfig');
const trafficPort = process.env.TRAFFIC_PORT ?? '16686';
const prometheusPort = process.env.PROMETHEUS_PORT ?? '9090';
const children = [];
let stopping = false;

function run(name, command, commandArgs, { env = {}, ready } = {}) {
  // Each child leads its own process group, so stopping also reaches what it forked (next start forks its server).
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env }, detached: true });
  children.push(child);
  child.stdout.on('data', (chunk) => process.stdout.write(`[${name}] ${chunk}`));
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`demo: ${name} exited (${signal ?? code}); stopping the demo`);
      stop(code ?? 1);
    }
  });
  if (!ready) return Promise.resolve();
  return new Promise((resolveReady) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      if (ready.test(seen)) resolveReady();
    });
  });
}

function stop(code = 0) {
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  void prometheus?.stop();
  setTimeout(() => process.exit(code), 1000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

// --dev: `next dev` (hot reload) instead of a production build; for working on the UI.
const dev = args.has('--dev');
if (!dev && !args.has('--no-build')) {
  console.info('demo: building the dashboard (next build)…');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** Prometheus from Debian's package: installed if this user can, otherwise the demo runs without metrics. */
function ensurePrometheus() {
  if (findPrometheus()) return true;
  if (process.getuid?.() === 0 && spawnSync('which', ['apt-get']).status === 0) {
    console.info('demo: prometheus is missing; installing it with apt-get (Debian package "prometheus")…');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (findPrometheus()) return true;
  }
  console.warn('demo: prometheus is not installed, so the demo runs without metrics. Install it with:\n  sudo apt-get install prometheus');
  return false;
}

let prometheus;
await run(
  'sandbox',
  process.execPath,
  ['sandbox/main.ts', '--port', sandboxPort, '--kubeconfig', kubeconfig, '--state', resolve('.sandbox/state.json'), '--traffic', '--traffic-port', trafficPort],
  { ready: /traffic at/ },
);
if (ensurePrometheus()) {
  prometheus = await startPrometheus({ dir: '.sandbox/prometheus', target: `127.0.0.1:${trafficPort}`, port: Number(prometheusPort), scrapeInterval: '5s' });
}
// Next's own binary rather than `npm run start`, so that stopping the demo stops the server too.
await run('dashboard', process.execPath, ['node_modules/next/dist/bin/next', dev ? 'dev' : 'start', '--hostname', '127.0.0.1', '--port', port], {
  env: {
    NEXT_TELEMETRY_DISABLED: '1',
    // Demo sign-in (viewer, operator, admin); writes reach the sandbox as the signed-in user.
    MESHDECK_DEMO_AUTH: '1',
    MESHDECK_IMPERSONATE: '1',
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? randomBytes(32).toString('hex'),
    KUBECONFIG: kubeconfig,
    MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard',
    MESHDECK_JAEGER_URL: `http://127.0.0.1:${trafficPort}`,
    ...(prometheus ? { MESHDECK_PROMETHEUS_URL: prometheus.url } : {}),
  },
  ready: /Ready|started|Local:/i,
});

console.info(`
demo: dashboard     http://127.0.0.1:${port}
demo: sign in as    viewer, operator or admin, password meshdeck-demo (MESHDECK_DEMO_PASSWORD to change it)
demo: sandbox API   https://127.0.0.1:${sandboxPort}  (the AI Nutritionist mesh from k8s/istio)
demo: traffic       simulated users at the scenario's rate (sandbox/scenarios/default.yaml)
demo: prometheus    ${prometheus ? `${prometheus.url}  (scrapes the mesh every 5 s, with the alert rules of k8s/istio)` : 'not running (see above)'}
demo: jaeger API    http://127.0.0.1:${trafficPort}/api/services
demo: kubectl       export KUBECONFIG=${kubeconfig}
                    contexts: sandbox-admin, sandbox-operator, sandbox-viewer, meshdeck-dashboard
demo: state         .sandbox/state.json (delete it to start from the manifests again)
demo: Ctrl-C stops everything
`);
