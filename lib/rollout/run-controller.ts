// Runs ONLY the dashboard's background controllers (the Lease loop with the emergency reverts
// and the rollouts), without the web server: for integration tests that kill and restart "the
// dashboard's controller" as a process of its own, and for trying a controller beside a running
// dashboard. It reads its configuration as the dashboard does (lib/env.ts: KUBECONFIG,
// MESHDECK_KUBE_CONTEXT, MESHDECK_PROMETHEUS_URL, POD_NAMESPACE/MESHDECK_NAMESPACE, the audit
// key...); flags override for one run:
//
//   npx tsx lib/rollout/run-controller.ts [--kubeconfig FILE] [--context NAME] [--prometheus URL]
//     [--identity ID] [--lease-namespace NS] [--lease-name NAME] [--lease-seconds N] [--tick-ms N]
//
// It prints (stdout) `controller <identity> started (Lease <ns>/<name>)` once running, then a line each
// time an arming changes (`rollout-controller armed by <holder>` / `rollout-controller not
// armed: <reason>`). SIGTERM or SIGINT gives the Lease up and exits 0; SIGKILL leaves it to expire.
// Runs under tsx (the library's `@/` imports need its resolver), as scripts/analyze.ts does.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    prometheus: { type: 'string' },
    identity: { type: 'string' },
    'lease-namespace': { type: 'string' },
    'lease-name': { type: 'string' },
    'lease-seconds': { type: 'string' },
    'tick-ms': { type: 'string' },
  },
});
// lib/env and lib/k8s read these from the environment, as the dashboard does; the flags win.
if (values.kubeconfig) process.env.KUBECONFIG = values.kubeconfig;
if (values.context) process.env.MESHDECK_KUBE_CONTEXT = values.context;
if (values.prometheus) process.env.MESHDECK_PROMETHEUS_URL = values.prometheus;

const { envProblems, serverEnv } = await import('@/lib/env');
const problems = envProblems();
if (problems.length > 0) {
  console.error(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
  process.exit(2);
}
const { startLeaderWorks, rolloutArming, ROLLOUT_WORK } = await import('./controller');
const { revertArming, replicaIdentity, REVERT_WORK } = await import('@/lib/security/emergency-reconciler');

const number = (flag: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${flag} must be a positive number, not "${value}"`);
    process.exit(2);
  }
  return n;
};
const identity = values.identity ?? replicaIdentity();
const loop = startLeaderWorks(serverEnv(), {
  identity,
  namespace: values['lease-namespace'],
  leaseName: values['lease-name'],
  leaseSeconds: number('lease-seconds', values['lease-seconds']),
  tickMs: number('tick-ms', values['tick-ms']),
});
const { namespace, name } = loop.elector.status();
console.info(`controller ${identity} started (Lease ${namespace}/${name})`);

// Each arming said once per change, so a test (or a person) can wait for "armed by ...".
const said = new Map<string, string>();
async function sayArming() {
  for (const [work, arming] of [
    [ROLLOUT_WORK, await rolloutArming()],
    [REVERT_WORK, await revertArming()],
  ] as const) {
    const line = arming.armed ? `${work} armed by ${arming.holder}` : `${work} not armed: ${arming.reason}`;
    if (said.get(work) !== line) console.info(line);
    said.set(work, line);
  }
}
const timer = setInterval(() => void sayArming(), 500);
void sayArming();

// A signal to the process group reaches this process twice (tsx passes it on too): the first
// one stops, later ones must not end the process before the Lease is given up.
let stopping: Promise<void> | undefined;
const shutdown = () =>
  (stopping ??= (async () => {
    clearInterval(timer);
    await loop.stop();
    process.exit(0);
  })());
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
