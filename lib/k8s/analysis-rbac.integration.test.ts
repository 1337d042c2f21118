// The live analysis as the dashboard's own service account (the sandbox's meshdeck-dashboard
// role, which mirrors deploy/'s ClusterRole): every kind the analyzers read may be listed, except
// Secrets, which the console must not hold a cluster-wide read of; they are named as not analyzed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K } from '@/lib/analysis/kinds';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import { clusterAnalysis } from './analysis';
import { pointAtKubeconfig } from './fake-api';

let sandbox: TestSandbox;
let restore: () => void;

beforeAll(async () => {
  sandbox = await startTestSandbox({ manifests: null });
  restore = pointAtKubeconfig(sandbox.kubeconfig, { MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard' });
}, 60_000);
afterAll(async () => {
  restore?.();
  await sandbox?.stop();
});

describe('the live analysis as the dashboard', () => {
  it('reads every kind but Secrets, which it names as forbidden', async () => {
    const status = (await clusterAnalysis()).status();
    const forbidden = status.notLoaded.filter((k) => /\(403\)/.test(k.reason));
    expect(forbidden.map((k) => k.kind)).toEqual([K.Secret]);
    expect(forbidden[0]!.reason).toMatch(/^the dashboard may not list secrets\.core\/v1 \(403\)/);
    // What is not loaded otherwise, the sandbox does not serve (Endpoints, the Gateway API).
    for (const kind of status.notLoaded.filter((k) => k.kind !== K.Secret)) expect(kind.reason).toMatch(/\(404\)/);
    for (const kind of [K.MutatingWebhookConfiguration, K.ServiceAccount, K.CustomResourceDefinition, K.Telemetry, K.WasmPlugin, K.ServiceEntry, K.Sidecar])
      expect(status.loaded).toContain(kind);
  });
});
