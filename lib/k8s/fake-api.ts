// Test support: a scripted stand-in for the Kubernetes API on a free loopback port, with the
// process-wide connection pointed at it, so lib/k8s runs its real HTTP code against answers
// recorded from kube-apiserver. Only tests import this file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { buildKubeConnection, type Env } from './kube-config';

export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

export type FakeHandler = (request: FakeRequest, response: ServerResponse) => void | Promise<void>;

export interface FakeApi {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

const connectionKey = Symbol.for('meshdeck.kubeConnection');
const cachesKey = Symbol.for('meshdeck.resourceCaches');

/** Answers with a JSON body (a Status, an object, a list). */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Streams watch events, one JSON document a line; ends the stream unless `keepOpen`. */
export function sendEvents(response: ServerResponse, events: unknown[], keepOpen = false): void {
  if (!response.headersSent) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.flushHeaders(); // as kube-apiserver does: the watch is open before any event
  }
  for (const event of events) response.write(`${JSON.stringify(event)}\n`);
  if (!keepOpen) response.end();
}

/**
 * Points the process-wide connection at `kubeconfig` (its current context), with `env` settings
 * such as MESHDECK_NAMESPACES, and forgets every cache. Returns the function that undoes it.
 */
export function pointAtKubeconfig(kubeconfig: string, env: Env = {}): () => void {
  const g = globalThis as Record<symbol, unknown>;
  const stopCaches = () => {
    for (const cache of (g[cachesKey] as Map<string, { stop(): void }> | undefined)?.values() ?? []) cache.stop();
    delete g[cachesKey];
  };
  const previous = process.env.KUBECONFIG;
  process.env.KUBECONFIG = kubeconfig; // client-node's loadFromDefault reads it
  g[connectionKey] = buildKubeConnection({ KUBECONFIG: kubeconfig, ...env });
  stopCaches();
  return () => {
    stopCaches();
    delete g[connectionKey];
    if (previous === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previous;
  };
}

/**
 * Starts the fake API and makes it the dashboard's cluster (a fresh connection, no caches).
 * `env` adds settings such as MESHDECK_NAMESPACES. `close()` stops it and forgets both.
 */
export async function startFakeApi(handler: FakeHandler, env: Env = {}): Promise<FakeApi> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://fake'), headers: req.headers, body };
      requests.push(request);
      Promise.resolve(handler(request, res)).catch((error: unknown) => sendJson(res, 500, { kind: 'Status', code: 500, message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'meshdeck-fake-api-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'fake', user: { token: 'fake-token' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      'current-context': 'fake',
    }),
  );
  const restore = pointAtKubeconfig(kubeconfig, env);
  return {
    url,
    requests,
    async close() {
      restore();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** For a test file: a starter of one fake API per test, closed after the test. */
export function fakeApiPerTest(): (handler: FakeHandler, env?: Env) => Promise<FakeApi> {
  let current: FakeApi | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (handler, env) => (current = await startFakeApi(handler, env));
}
