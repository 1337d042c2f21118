// Test helper: raw requests to a test sandbox as its admin, to set the scene or check it.
import { Agent, fetch } from 'undici';
import type { Sandbox } from '../../sandbox/sandbox.ts';

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
