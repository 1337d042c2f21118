// The sandbox as real kubectl sees it.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from './testing.ts';

const ns = ['-n', 'ai-nutritionist'];
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ manifests: null });
});
afterAll(async () => sandbox?.stop());

const jsonpath = async (kind: string, name: string, path: string) => ((await sandbox.kubectl(['get', kind, name, ...ns, '-o', `jsonpath={${path}}`]))).stdout;
const resourceVersion = (kind: string, name: string) => jsonpath(kind, name, '.metadata.resourceVersion');

describe('kubectl against the sandbox', () => {
  it('applies k8s/istio/ to a fresh sandbox, lists it, and a second apply changes nothing', async () => {
    const first = await sandbox.kubectl(['apply', '-f', 'k8s/istio/']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('virtualservice.networking.istio.io/nutrition-service-canary created');

    const listed = await sandbox.kubectl(['get', 'virtualservices,destinationrules,peerauthentications', ...ns]);
    expect(listed.status).toBe(0);
    for (const name of ['nutrition-service-canary', 'ai-coach-service-ab-test', 'payment-service-blue-green', 'destinationrule.networking.istio.io/ai-coach-service', 'peerauthentication.security.istio.io/default']) {
      expect(listed.stdout).toContain(name);
    }
    expect(listed.stdout).toMatch(/default\s+STRICT/);

    const versionBefore = sandbox.store.currentVersion();
    const second = await sandbox.kubectl(['apply', '-f', 'k8s/istio/']);
    expect(second.status).toBe(0);
    expect(second.stderr).toBe('');
    const lines = second.stdout.trim().split('\n');
    expect(lines.every((line) => line.endsWith(' unchanged'))).toBe(true);
    expect(sandbox.store.currentVersion()).toBe(versionBefore);
  });

  it("runs the platform document's quick rollback and emergency commands as written", async () => {
    const rollback = await sandbox.kubectl(['patch', 'virtualservice', 'nutrition-service-canary', ...ns, "--type=json", '-p=[{"op":"replace","path":"/spec/http/0/route/0/weight","value":100},{"op":"replace","path":"/spec/http/0/route/1/weight","value":0}]']);
    expect(rollback.stdout).toContain('virtualservice.networking.istio.io/nutrition-service-canary patched');
    expect(await jsonpath('virtualservice', 'nutrition-service-canary', '.spec.http[0].route[*].weight')).toBe('100 0');

    const emergency = await sandbox.kubectl(['patch', 'peerauthentication', 'default', ...ns, '--type=merge', '-p={"spec":{"mtls":{"mode":"PERMISSIVE"}}}']);
    expect(emergency.stdout).toContain('peerauthentication.security.istio.io/default patched');
    expect(await jsonpath('peerauthentication', 'default', '.spec.mtls.mode')).toBe('PERMISSIVE');

    const bypass = await sandbox.kubectl(['patch', 'virtualservice', 'ai-nutritionist-traffic-management', ...ns, '--type=json', '-p=[{"op":"replace","path":"/spec/http/0/fault","value":null}]']);
    expect(bypass.status).toBe(0);
    expect(await jsonpath('virtualservice', 'ai-nutritionist-traffic-management', '.spec.http[0].fault')).toBe('');
  });

  it('kubectl get -w prints a change made by another client within a second', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kubectl-home-'));
    const watcher = spawn('kubectl', ['get', 'virtualservices', ...ns, '-w', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: sandbox.kubeconfig, HOME: home } });
    let output = '';
    const seen = new Promise<number>((resolve) => {
      watcher.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/MODIFIED\s+payment-service-blue-green/.test(output)) resolve(Date.now());
      });
    });
    await expect.poll(() => output, { timeout: 10_000 }).toContain('ADDED');
    const changedAt = Date.now();
    // The change comes from another client (plain HTTPS with the operator's token), not kubectl.
    const { fetch: undiciFetch } = await import('undici');
    const response = await undiciFetch(`${sandbox.url}/apis/networking.istio.io/v1/namespaces/ai-nutritionist/virtualservices/payment-service-blue-green`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer sandbox-operator-token', 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { labels: { touched: 'yes' } } }),
      dispatcher: await trustSandbox(), // trust the sandbox's certificate
    });
    expect(response.status).toBe(200);
    const delay = (await seen) - changedAt;
    watcher.kill();
    expect(delay).toBeLessThan(1000);
  });

  it('refuses bad writes with the right status and leaves the object unchanged', async () => {
    const before = await resourceVersion('virtualservice', 'nutrition-service-canary');
    const live = JSON.parse((await sandbox.kubectl(['get', 'virtualservice', 'nutrition-service-canary', ...ns, '-o', 'json'])).stdout);

    live.metadata.resourceVersion = String(Number(before) - 1);
    const stale = await sandbox.kubectl(['replace', '-f', '-'], { input: JSON.stringify(live) });
    expect(stale.status).not.toBe(0);
    expect(stale.stderr).toContain('Error from server (Conflict)');
    expect(stale.stderr).toContain('the object has been modified');

    const failedTest = await sandbox.kubectl(['patch', 'virtualservice', 'nutrition-service-canary', ...ns, '--type=json', '-p=[{"op":"test","path":"/spec/http/3/route/1/weight","value":42},{"op":"replace","path":"/spec/http/3/route/1/weight","value":42}]']);
    expect(failedTest.stderr).toMatch(/testing value \/spec\/http\/3\/route\/1\/weight failed/);
    expect(failedTest.stderr).toContain('The request is invalid');

    const badWeight = await sandbox.kubectl(['patch', 'virtualservice', 'nutrition-service-canary', ...ns, '--type=json', '-p=[{"op":"replace","path":"/spec/http/3/route/0/weight","value":"abc"}]']);
    expect(badWeight.stderr).toContain('The VirtualService "nutrition-service-canary" is invalid: spec.http[3].route[0].weight: Invalid value: "string": spec.http[3].route[0].weight in body must be of type integer: "abc"');

    const viewer = await sandbox.kubectl(['patch', 'virtualservice', 'nutrition-service-canary', ...ns, '--type=merge', '-p={"spec":{"http":[]}}'], { context: 'sandbox-viewer' });
    expect(viewer.stderr).toContain('Error from server (Forbidden)');
    expect(viewer.stderr).toContain('User "viewer@meshdeck.local" cannot patch resource "virtualservices"');

    expect(await resourceVersion('virtualservice', 'nutrition-service-canary')).toBe(before);
  });

  it('kubectl auth can-i answers per RBAC for each demo context', async () => {
    const canI = async (context: string, verb: string, resource: string) => (await sandbox.kubectl(['auth', 'can-i', verb, resource, ...ns], { context })).stdout.trim();
    expect(await canI('sandbox-admin', 'patch', 'virtualservices')).toBe('yes');
    expect(await canI('sandbox-operator', 'patch', 'virtualservices')).toBe('yes');
    expect(await canI('sandbox-viewer', 'patch', 'virtualservices')).toBe('no');
    expect(await canI('sandbox-viewer', 'get', 'virtualservices')).toBe('yes');
    expect(await canI('sandbox-operator', 'patch', 'peerauthentications')).toBe('no');
    expect(await canI('sandbox-admin', 'patch', 'peerauthentications')).toBe('yes');
    expect(await canI('meshdeck-dashboard', 'impersonate', 'users')).toBe('yes');
  });

  it('serves Istio printer columns, explain, server-side apply and events', async () => {
    expect((await sandbox.kubectl(['get', 'destinationrules', ...ns])).stdout).toMatch(/NAME\s+HOST\s+AGE/);
    expect((await sandbox.kubectl(['explain', 'destinationrule.spec.trafficPolicy.outlierDetection.maxEjectionPercent'])).stdout).toContain('maxEjectionPercent <integer>');

    const manifest = JSON.stringify({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'ssa-demo', namespace: 'ai-nutritionist' }, spec: { host: 'ssa-demo', trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } } });
    expect((await sandbox.kubectl(['apply', '--server-side', '--field-manager=team-a', '-f', '-'], { input: manifest })).stdout).toContain('serverside-applied');
    const other = manifest.replace('"maxConnections":10', '"maxConnections":20');
    const conflicting = await sandbox.kubectl(['apply', '--server-side', '--field-manager=team-b', '-f', '-'], { input: other });
    expect(conflicting.stderr).toContain('conflict with "team-a"');
    expect(await jsonpath('destinationrule', 'ssa-demo', '.spec.trafficPolicy.connectionPool.tcp.maxConnections')).toBe('10');
    expect((await sandbox.kubectl(['apply', '--server-side', '--field-manager=team-b', '--force-conflicts', '-f', '-'], { input: other })).status).toBe(0);
    expect(await jsonpath('destinationrule', 'ssa-demo', '.spec.trafficPolicy.connectionPool.tcp.maxConnections')).toBe('20');

    const events = (await sandbox.kubectl(['get', 'events', ...ns, '--field-selector', 'involvedObject.name=nutrition-service-canary', '-o', 'jsonpath={.items[*].reason}'])).stdout;
    expect(events.split(' ')).toEqual(expect.arrayContaining(['Created', 'Patched']));
  });
});

describe('sandbox state', () => {
  it('--state keeps objects across a restart', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'sandbox-state-')), 'state.json');
    const first = await startTestSandbox({ stateFile });
    await first.kubectl(['patch', 'peerauthentication', 'default', ...ns, '--type=merge', '-p={"spec":{"mtls":{"mode":"PERMISSIVE"}}}']);
    await first.stop();
    const second = await startTestSandbox({ stateFile });
    try {
      expect((await second.kubectl(['get', 'peerauthentication', 'default', ...ns, '-o', 'jsonpath={.spec.mtls.mode}'])).stdout).toBe('PERMISSIVE');
    } finally {
      await second.stop();
    }
  });
});

async function trustSandbox() {
  const { Agent } = await import('undici');
  return new Agent({ connect: { ca: sandbox.certificate } });
}
