// `npm run demo`: the sandbox mesh and the dashboard pointed at it, on loopback.
// Ctrl-C stops everything. The sandbox keeps its objects in .sandbox/state.json.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const args = new Set(process.argv.slice(2));
const port = process.env.PORT ?? '3000';
const sandboxPort = process.env.SANDBOX_PORT ?? '6443';
const kubeconfig = resolve('.sandbox/kubeconfig');
const children = [];
let stopping = false;

function run(name, command, commandArgs, { env = {}, ready } = {}) {
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
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
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

if (!args.has('--no-build')) {
  console.info('demo: building the dashboard (next build)…');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

await run('sandbox', process.execPath, ['sandbox/main.ts', '--port', sandboxPort, '--kubeconfig', kubeconfig, '--state', resolve('.sandbox/state.json')], { ready: /Kubernetes API on/ });
await run('dashboard', 'npm', ['run', 'start', '--silent', '--', '--port', port], {
  env: { KUBECONFIG: kubeconfig, MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard' },
  ready: /Ready|started|Local:/i,
});

console.info(`
demo: dashboard     http://127.0.0.1:${port}
demo: sandbox API   https://127.0.0.1:${sandboxPort}  (the AI Nutritionist mesh from k8s/istio)
demo: kubectl       export KUBECONFIG=${kubeconfig}
                    contexts: sandbox-admin, sandbox-operator, sandbox-viewer, meshdeck-dashboard
demo: state         .sandbox/state.json (delete it to start from the manifests again)
demo: Ctrl-C stops everything
`);
