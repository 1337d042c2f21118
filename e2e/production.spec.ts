// The dashboard in its production shape (two replicas of the production build, the Lease in
// the pod's namespace from POD_NAMESPACE) against a sandbox of its own that does not have
// Meshdeck's namespace: as a fresh cluster is before `kubectl create namespace meshdeck`.
import type { ChildProcess } from 'node:child_process';
import { expect, test, type APIRequestContext, type BrowserContext } from '@playwright/test';
import { startDashboardProcess, stopDashboardProcess } from './dashboard-process';
import { jsonpath, kubectlAt } from './kube';
import { freePort, startSandboxProcess, stopProcess, type SandboxProcess } from './processes';
import { signIn } from './sign-in';

type Check = { name: string; ok: boolean; message: string };
const revertCheck = async (request: APIRequestContext, port: number) => {
  const body = (await (await request.get(`http://127.0.0.1:${port}/api/readyz`)).json()) as { status: string; checks: Check[] };
  return { status: body.status, check: body.checks.find((c) => c.name === 'emergency-revert')! };
};

test('the emergency is refused until a replica holds the Lease, then reverts on time after the leader dies', async ({ browser, request }) => {
  test.setTimeout(180_000);
  let sandbox: SandboxProcess | undefined;
  const dashboards = new Map<number, ChildProcess>();
  let context: BrowserContext | undefined;
  try {
    sandbox = await startSandboxProcess(['--no-meshdeck-namespace']);
    const { kubeconfig } = sandbox;
    const mode = () => jsonpath('peerauthentication', 'default', '.spec.mtls.mode', 'ai-nutritionist', kubeconfig);
    const env = { KUBECONFIG: kubeconfig, POD_NAMESPACE: 'meshdeck', MESHDECK_EMERGENCY_RECONCILER: '1' };
    const ports = [await freePort(), await freePort()];
    for (const port of ports) dashboards.set(port, await startDashboardProcess(port, env));
    const [first, second] = ports as [number, number];

    // Not armed: readiness says so by name, every page says so, and the API refuses.
    await expect
      .poll(async () => (await revertCheck(request, first)).check)
      .toEqual({ name: 'emergency-revert', ok: false, message: 'automatic revert is not armed: namespace meshdeck does not exist' });
    expect((await revertCheck(request, first)).status).toBe('degraded');
    // Cookies are per host, not per port: one session serves both replicas.
    context = await browser.newContext({ baseURL: `http://127.0.0.1:${first}`, storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    await signIn(page, 'admin');
    await page.goto(`http://127.0.0.1:${first}/security?namespace=ai-nutritionist`);
    await expect(page.getByRole('region', { name: 'Automatic revert' })).toContainText(
      'Automatic emergency revert is NOT armed: namespace meshdeck does not exist',
    );
    // The on-call action opens its form in a drawer.
    await page.getByRole('button', { name: 'Emergency PERMISSIVE…' }).click();
    const drawer = page.getByRole('dialog', { name: 'Emergency PERMISSIVE' });
    const form = drawer.getByRole('form', { name: 'Start an emergency' });
    await expect(drawer.getByRole('status', { name: 'Automatic revert state' })).toContainText('NOT armed: namespace meshdeck does not exist');
    await form.getByRole('combobox', { name: 'Namespace' }).selectOption('ai-nutritionist');
    await form.getByRole('textbox', { name: 'Type the namespace name to confirm' }).fill('ai-nutritionist');
    await form.getByRole('textbox', { name: 'Reason' }).fill('partner cannot present a mesh certificate');
    await form.getByRole('spinbutton', { name: /Revert after/ }).fill('1');
    await expect(form.getByRole('button', { name: 'Switch ai-nutritionist to PERMISSIVE' })).toBeDisabled();
    const refused = await page.request.post(`http://127.0.0.1:${first}/api/security/emergency/ai-nutritionist/start`, {
      data: { confirm: 'ai-nutritionist', reason: 'partner cannot present a mesh certificate', minutes: 1 },
      headers: { origin: `http://127.0.0.1:${first}` },
    });
    expect(refused.status()).toBe(409);
    expect((await refused.json()).error.message).toBe('Automatic revert is not armed: namespace meshdeck does not exist. The emergency was not started.');
    expect(mode()).toBe('STRICT');

    // The namespace appears: armed within one lease period (15 s), seen by both replicas.
    kubectlAt(kubeconfig, 'create', 'namespace', 'meshdeck');
    const created = Date.now();
    await expect.poll(async () => (await revertCheck(request, first)).check.ok, { timeout: 15_000, intervals: [250] }).toBe(true);
    expect(Date.now() - created).toBeLessThan(15_000);
    test.info().annotations.push({ type: 'armed after the namespace appeared', description: `${Date.now() - created} ms` });
    await expect.poll(async () => (await revertCheck(request, second)).check.ok, { timeout: 15_000, intervals: [250] }).toBe(true);
    await expect(drawer.getByRole('status', { name: 'Automatic revert state' })).toContainText('Automatic revert armed by');

    await form.getByRole('button', { name: 'Switch ai-nutritionist to PERMISSIVE' }).click();
    await expect(form.getByRole('status')).toContainText('PERMISSIVE until the deadline');
    expect(mode()).toBe('PERMISSIVE');
    await drawer.getByRole('button', { name: 'Close details' }).click();
    await expect(page.getByRole('region', { name: 'Automatic revert' })).toHaveCount(0);
    const deadline = Date.parse(
      jsonpath('peerauthentication', 'default', '.metadata.annotations.meshdeck\\.io/emergency-revert-at', 'ai-nutritionist', kubeconfig),
    );
    await expect(page.getByRole('region', { name: 'Active emergencies' })).toContainText(/Automatic revert armed by \S+/);

    // Kill the leader without a chance to give the Lease up: the other replica must take over.
    const leader = (await revertCheck(request, first)).check.message.includes('(this replica)') ? first : second;
    const survivor = leader === first ? second : first;
    await stopProcess(dashboards.get(leader)!, 'SIGKILL');
    dashboards.delete(leader);
    await expect.poll(async () => (await revertCheck(request, survivor)).check.message, { timeout: 20_000, intervals: [500] }).toContain('(this replica)');
    await expect.poll(mode, { timeout: Math.max(0, deadline - Date.now()) + 10_000, intervals: [500] }).toBe('STRICT');
    expect(Date.now() - deadline).toBeLessThan(10_000);
    test.info().annotations.push({ type: 'reverted after the deadline', description: `${Date.now() - deadline} ms` });

    await page.goto(`http://127.0.0.1:${survivor}/audit?namespace=ai-nutritionist`);
    const starts = page.getByRole('row').filter({ hasText: 'security.emergency-start' });
    // The refusal is on the trail too, with its reason; then the start that went through.
    await expect(starts.filter({ hasText: 'failed: Automatic revert is not armed: namespace meshdeck does not exist' })).toHaveCount(1);
    await expect(starts.filter({ hasNotText: 'failed:' })).toContainText('partner cannot present a mesh certificate');
    await expect(page.getByRole('row', { name: /security\.emergency-revert/ })).toContainText('mTLS PERMISSIVE → STRICT in ai-nutritionist');
  } finally {
    await context?.close();
    for (const [port, child] of dashboards) await stopDashboardProcess(child, port);
    if (sandbox) await stopProcess(sandbox.child);
  }
});
