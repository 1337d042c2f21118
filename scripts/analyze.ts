// `npm run analyze -- [FILE|DIR ...] [flags]`: istioctl analyze's command line over Meshdeck's
// analyzers (lib/analysis), for CI and the terminal. Runs under tsx, not Next: the library's
// `@/` imports need a resolver, and the cluster is read through lib/k8s as the dashboard reads it.
import { text } from 'node:stream/consumers';
import { runAnalyze } from '@/lib/analysis/cli/run';

const code = await runAnalyze(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  readStdin: () => text(process.stdin),
  async readCluster({ kubeconfig, context }) {
    // lib/k8s reads these from the environment, as kubectl does; the flags win over it.
    if (kubeconfig) process.env.KUBECONFIG = kubeconfig;
    if (context) process.env.MESHDECK_KUBE_CONTEXT = context;
    // Loaded only when a cluster is read: the Kubernetes client is most of the start-up time.
    const { readCluster } = await import('@/lib/analysis/cli/cluster');
    return readCluster();
  },
});
process.exitCode = code;
