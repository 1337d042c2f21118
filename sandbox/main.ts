// `npm run sandbox`: a local Kubernetes API for Meshdeck's development, demo and tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { demoIdentities } from './api/auth.ts';
import { parseMeshSpec, writeGeneratedMesh } from './generate/mesh.ts';
import { startSandbox } from './sandbox.ts';
import { loadScenario, withOverrides } from './traffic/scenario.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    manifests: { type: 'string' },
    'no-manifests': { type: 'boolean' },
    'no-meshdeck-namespace': { type: 'boolean' },
    state: { type: 'string' },
    kubeconfig: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    traffic: { type: 'boolean' },
    scenario: { type: 'string' },
    rate: { type: 'string' },
    'traffic-port': { type: 'string' },
    'generate-mesh': { type: 'string' },
    generate: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.info(`Usage: npm run sandbox -- [--port N] [--manifests DIR | --no-manifests] [--no-meshdeck-namespace] [--state FILE] [--kubeconfig PATH] [--verbose]
  --port        port on 127.0.0.1 (default $SANDBOX_PORT or 6443)
  --manifests   directory of YAML loaded at start (default k8s/istio)
  --no-meshdeck-namespace  start without the meshdeck namespace and the dashboard's service account
  --state       file that keeps the objects across restarts
  --kubeconfig  where to write the kubeconfig (default .sandbox/kubeconfig)
  --traffic     run the traffic simulator (metrics and Jaeger API on --traffic-port, default 16686)
  --scenario    scenario file for the simulator (default sandbox/scenarios/default.yaml)
  --rate        requests per second, overriding the scenario's rate
  --generate-mesh workloads=1000,namespaces=50,edges=3000,seed=1
                loads a generated mesh instead of k8s/istio and runs its traffic (implies --traffic);
                also versions (most per service, 1-3), failingShare, externalHosts, tcpShare, grpcShare,
                plaintextClients, minEdgeRate (req/s on the quietest workload edge); --generate is the same`);
  process.exit(0);
}

const port = Number(values.port ?? process.env.SANDBOX_PORT ?? 6443);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`sandbox: --port must be a port number, not "${values.port}"`);
  process.exit(2);
}

try {
  const meshSpec = values['generate-mesh'] ?? values.generate;
  const generated = meshSpec !== undefined ? writeGeneratedMesh(mkdtempSync(join(tmpdir(), 'meshdeck-mesh-')), parseMeshSpec(meshSpec)) : undefined;
  if (generated) console.info(`sandbox: generated mesh ${JSON.stringify(generated.summary)} in ${generated.manifests}`);
  const traffic =
    values.traffic || values.scenario || generated
      ? {
          scenario: withOverrides(generated?.scenario ?? loadScenario(values.scenario), values.rate ? { rate: Number(values.rate) } : {}),
          port: Number(values['traffic-port'] ?? 16686),
        }
      : undefined;
  const sandbox = await startSandbox({
    traffic,
    port,
    manifests: generated ? generated.manifests : values['no-manifests'] ? null : values.manifests,
    meshdeckNamespace: !values['no-meshdeck-namespace'],
    stateFile: values.state,
    kubeconfig: values.kubeconfig,
    log: values.verbose ? (line) => console.info(line) : undefined,
  });
  console.info(`sandbox: Kubernetes API on ${sandbox.url}`);
  console.info(`sandbox: kubeconfig ${sandbox.kubeconfig}`);
  console.info(`sandbox: contexts ${demoIdentities.map((i) => i.context).join(', ')} (current: sandbox-admin)`);
  console.info(`sandbox: try  KUBECONFIG=${sandbox.kubeconfig} kubectl get virtualservices -n ai-nutritionist`);
  if (sandbox.trafficUrl)
    console.info(`sandbox: traffic at ${traffic!.scenario.rate} req/s; metrics ${sandbox.trafficUrl}/metrics, Jaeger API ${sandbox.trafficUrl}/api`);
  const shutdown = async () => {
    await sandbox.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  console.error(`sandbox: ${(error as Error).message}`);
  process.exit(1);
}
