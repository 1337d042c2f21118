// Whether the automatic revert is armed, against a running sandbox: refused while the Lease's
// namespace is missing, armed within one lease period once it exists, and a second replica
// taking over (and reverting on time) when the leader dies without giving the Lease up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAdmin, type PeerAuthenticationJson } from './sandbox-requests';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing.ts';
import type { EmergencyReconciler } from './emergency-reconciler';

let sandbox: TestSandbox;
const NAMESPACE = 'ops-missing'; // a namespace the sandbox does not have
const paPath = '/apis/security.istio.io/v1/namespaces/ai-nutritionist/peerauthentications/default';
const running: EmergencyReconciler[] = [];

const api = sandboxAdmin(() => sandbox);
type Pa = PeerAuthenticationJson;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  process.env.KUBECONFIG = sandbox.kubeconfig;
  process.env.MESHDECK_KUBE_CONTEXT = 'meshdeck-dashboard';
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop({ release: false })));
  await sandbox?.stop();
});

async function replica(identity: string, options: { observeOnly?: boolean } = {}) {
  const { EmergencyReconciler } = await import('./emergency-reconciler');
  const reconciler = new EmergencyReconciler({ namespace: NAMESPACE, identity, leaseSeconds: 2, tickMs: 200, ...options }).start();
  running.push(reconciler);
  return reconciler;
}

describe('the automatic revert is armed, or says why not', () => {
  it('is not armed while the Lease namespace does not exist, and refuses an emergency with that reason', async () => {
    // This process's reconciler, as instrumentation.ts starts it.
    const { requireArmedRevert, startEmergencyReconciler } = await import('./emergency-reconciler');
    const a = startEmergencyReconciler({ namespace: NAMESPACE, identity: 'replica-a', leaseSeconds: 2, tickMs: 200 });
    running.push(a);
    expect(await a.arming()).toMatchObject({
      armed: false,
      reason: `namespace ${NAMESPACE} does not exist`,
      lease: `${NAMESPACE}/meshdeck-emergency-reconciler`,
    });
    await expect(requireArmedRevert()).rejects.toMatchObject({
      status: 409,
      message: `Automatic revert is not armed: namespace ${NAMESPACE} does not exist. The emergency was not started.`,
    });
    const observer = await replica('replica-observer', { observeOnly: true });
    expect((await observer.arming()).armed).toBe(false);
  });

  it('is armed within one lease period after the namespace is created, as seen by every replica', async () => {
    const [a, observer] = running as [EmergencyReconciler, EmergencyReconciler];
    await api('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } } });
    const created = Date.now();
    await expect.poll(async () => (await a.arming()).armed, { timeout: 2000, interval: 100 }).toBe(true);
    expect(Date.now() - created).toBeLessThan(2000); // one lease period
    expect(await a.arming()).toMatchObject({ holder: 'replica-a', replica: 'replica-a' });
    await expect.poll(async () => (await observer.arming()).holder, { timeout: 2000, interval: 100 }).toBe('replica-a');
    expect((await observer.arming()).armed).toBe(true);
  });

  it('lets a second replica take over when the leader dies, and the revert still comes on time', async () => {
    const [a] = running as [EmergencyReconciler];
    const b = await replica('replica-b');
    await expect.poll(async () => (await b.arming()).holder, { timeout: 2000 }).toBe('replica-a');

    const { startEmergency } = await import('../k8s/security');
    await startEmergency('ai-nutritionist', { reason: 'failover drill', minutes: 1 }, 'admin@meshdeck.local', {});
    // Bring the deadline close (the API allows whole minutes only); annotations do not move the generation.
    const deadline = Date.now() + 4000;
    await api(paPath, {
      method: 'PATCH',
      type: 'application/merge-patch+json',
      body: { metadata: { annotations: { 'meshdeck.io/emergency-revert-at': new Date(deadline).toISOString() } } },
    });

    await a.stop({ release: false }); // killed: the Lease stays until it expires
    await expect.poll(async () => (await b.arming()).holder, { timeout: 4000, interval: 100 }).toBe('replica-b');
    await expect.poll(async () => (await api<Pa>(paPath)).spec.mtls.mode, { timeout: 8000, interval: 100 }).toBe('STRICT');
    expect(Date.now() - deadline).toBeLessThan(1500);
    expect(Date.now() - deadline).toBeGreaterThanOrEqual(0);
  });

  it('gives the Lease up on a clean stop, so the other replica takes over at its next tick', async () => {
    const b = running.find((r) => r.elector.status().identity === 'replica-b')!;
    const c = await replica('replica-c');
    await expect.poll(async () => (await c.arming()).holder, { timeout: 2000 }).toBe('replica-b');
    const stopped = Date.now();
    await b.stop();
    await expect.poll(async () => (await c.arming()).holder, { timeout: 2000, interval: 50 }).toBe('replica-c');
    expect(Date.now() - stopped).toBeLessThan(1000); // well under the 2 s lease
  });
});
