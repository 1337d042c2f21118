// A production dashboard against a sandbox running in this process (so a spec can snapshot the
// cluster's store), with a stand-in Prometheus and Jaeger, and real sessions: each demo user
// signs in through next-auth's credentials endpoint, as the sign-in page does.
import type { ChildProcess } from 'node:child_process';
import { test } from '@playwright/test';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../sandbox/api/store';
import { startTestSandbox, type TestSandbox } from '../sandbox/testing';
import { startDashboardProcess, stopDashboardProcess } from './dashboard-process';
import { freePort } from './processes';
import { DEMO_PASSWORD } from './sign-in';

export type DemoUser = 'viewer' | 'operator' | 'admin';

export interface RawResponse {
  status: number;
  type: string;
  body: string;
}

export interface ApiHarness {
  base: string;
  sandbox: TestSandbox;
  cookies: Record<DemoUser, string>;
  /** Sends exactly this method, path, headers and body (no normalisation, no encoding). */
  send(method: string, path: string, headers?: Record<string, string>, body?: Buffer | string): Promise<RawResponse>;
  /**
   * Every object in the cluster by kind, namespace and name, with its resourceVersion, to compare
   * before and after. Leases (and their Events) are left out: the dashboard takes and renews them
   * on its own timers (audit retention, emergency revert), whatever the requests are.
   */
  clusterState(): Record<string, string>;
  stop(): Promise<void>;
}

// Empty but well-formed answers: the routes that read Prometheus and Jaeger answer 2xx.
function startMetricsStandIn(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const data =
      path === '/api/v1/query_range'
        ? { resultType: 'matrix', result: [] }
        : path === '/api/v1/query'
          ? { resultType: 'vector', result: [] }
          : path === '/api/v1/alerts'
            ? { alerts: [] }
            : path === '/api/v1/rules'
              ? { groups: [] }
              : [];
    req.resume().on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(path.startsWith('/api/v1/') ? { status: 'success', data } : { data }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: { ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function signIn(port: number, user: DemoUser): Promise<string> {
  const origin = `http://127.0.0.1:${port}`;
  const csrfResponse = await fetch(`${origin}/api/auth/csrf`);
  const cookie = csrfResponse.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const form = new URLSearchParams({ csrfToken, username: user, password: DEMO_PASSWORD, json: 'true' }).toString();
  const response = await fetch(`${origin}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const session = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('next-auth.session-token='));
  if (!session) throw new Error(`signing in as ${user} gave no session cookie (${response.status})`);
  return session;
}

/** Starts the sandbox, the stand-in metrics, the dashboard (production build) and signs in viewer, operator and admin. */
export async function startApiHarness(): Promise<ApiHarness> {
  const sandbox = await startTestSandbox();
  const metrics = await startMetricsStandIn();
  const metricsUrl = `http://127.0.0.1:${(metrics.address() as AddressInfo).port}`;
  const port = await freePort();
  let dashboard: ChildProcess | undefined;
  try {
    dashboard = await startDashboardProcess(port, {
      KUBECONFIG: sandbox.kubeconfig,
      MESHDECK_PROMETHEUS_URL: metricsUrl,
      MESHDECK_JAEGER_URL: metricsUrl,
      MESHDECK_EMERGENCY_RECONCILER: '0',
    });
    const cookies = { viewer: await signIn(port, 'viewer'), operator: await signIn(port, 'operator'), admin: await signIn(port, 'admin') };
    return {
      base: `http://127.0.0.1:${port}`,
      sandbox,
      cookies,
      send: (method, path, headers, body) => send(port, method, path, headers, body),
      clusterState() {
        const housekeeping = (o: KubeObject) =>
          o.kind === 'Lease' || (o.kind === 'Event' && (o as { involvedObject?: { kind?: string } }).involvedObject?.kind === 'Lease');
        const objects = Object.values(sandbox.store.snapshot().objects)
          .flat()
          .filter((o) => !housekeeping(o));
        return Object.fromEntries(objects.map((o) => [`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, String(o.metadata.resourceVersion)]));
      },
      async stop() {
        await stopDashboardProcess(dashboard!, port);
        await new Promise((resolve) => metrics.close(resolve));
        await sandbox.stop();
      },
    };
  } catch (error) {
    if (dashboard) await stopDashboardProcess(dashboard, port);
    metrics.close();
    await sandbox.stop();
    throw error;
  }
}

/**
 * The harness for the specs of one file: started before its tests, stopped after them. They run
 * only in the api project (the sandbox project ignores them).
 */
export function apiHarnessForThisFile(): () => ApiHarness {
  let harness: ApiHarness | undefined;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    harness = await startApiHarness();
  });
  test.afterAll(async () => harness?.stop());
  return () => harness!;
}
