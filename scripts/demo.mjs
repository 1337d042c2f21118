// `npm run demo`: builds the dashboard and serves it on loopback, stopping everything on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';

const args = new Set(process.argv.slice(2));
const port = process.env.PORT ?? '3000';
const children = [];

function run(name, command, commandArgs, env = {}) {
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`demo: ${name} exited (${signal ?? code}); stopping the demo`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

if (!args.has('--no-build')) {
  console.info('demo: building the dashboard (next build)…');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

run('dashboard', 'npm', ['run', 'start', '--silent', '--', '--port', port]);
console.info(`\ndemo: dashboard on http://127.0.0.1:${port} (Ctrl-C stops it)`);
console.info('demo: it uses your KUBECONFIG / ~/.kube/config; without one it shows how to connect a cluster.\n');
