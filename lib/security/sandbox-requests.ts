// Test helpers: a sandbox for one test file that lib/k8s talks to as the dashboard's service
// account, and raw requests to it as its admin, to set the scene or check it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox.ts';

export type PeerAuthenticationJson = { spec: { mtls: { mode: string } }; metadata: { annotations?: Record<string, string> } };

export function sandboxAdmin(sandbox: () => Sandbox) {
  return async function api<T>(path: string, init: { method?: string; body?: unknown; type?: string } = {}): Promise<T> {
    const response = await fetch(`${sandbox().url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: 'Bearer sandbox-admin-token', 'content-type': init.type ?? 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      dispatcher: new Agent({ connect: { ca: sandbox().certificate } }),
    });
    return (await response.json()) as T;
  };
}

/**
 * Starts a sandbox (loaded with k8s/istio) before this file's tests and stops it after them;
 * lib/k8s reaches it as the dashboard (context meshdeck-dashboard). Returns the admin requests.
 */
export function dashboardSandbox() {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, kubeconfig: join(mkdtempSync(join(tmpdir(), 'meshdeck-sandbox-')), 'kubeconfig') });
    process.env.KUBECONFIG = sandbox.kubeconfig;
    process.env.MESHDECK_KUBE_CONTEXT = 'meshdeck-dashboard';
  });
  afterAll(async () => sandbox?.stop());
  return sandboxAdmin(() => sandbox!);
}
