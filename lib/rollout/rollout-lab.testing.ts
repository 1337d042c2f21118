// Test support for the rollout controller's integration tests: a sandbox with its traffic
// simulator, a real Prometheus scraping it every second, a record of every version of a
// VirtualService as the sandbox stored it, the audit trail and Events read back as the
// cluster holds them, and controller processes to start, kill and restart. Only tests import it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { endWithWorker, freePort } from '../../e2e/processes.ts';
import type { KubeObject } from '../../sandbox/api/store.ts';
import { startPrometheus } from '../../sandbox/prometheus.ts';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing.ts';
import type { Scenario } from '../../sandbox/traffic/scenario.ts';
import type { TrafficSimulator } from '../../sandbox/traffic/simulator.ts';
import type { AuditEntry } from '../audit/audit.ts';
import { planProblems, rolloutOf, rolloutPatch, startRollout, type RolloutPlan, type RolloutState } from '../mesh/rollout.ts';
import type { VirtualService } from '../mesh/types.ts';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RolloutLab {
  sandbox: TestSandbox;
  simulator: TrafficSimulator;
  prometheusUrl: string;
  /** A request to the sandbox as its admin; a status other than 2xx throws with the API's message. */
  admin<T>(path: string, init?: { method?: string; body?: unknown; type?: string }): Promise<T>;
  /** One PromQL instant query: each series' labels and value. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox with `scenario`'s traffic and a Prometheus scraping it every second, on
 * ports the OS picks. Prometheus takes its first samples a few seconds later (waitForSample).
 */
export async function startRolloutLab(scenario: Scenario): Promise<RolloutLab> {
  const sandbox = await startTestSandbox({ traffic: { scenario, port: 0 } });
  const prometheus = await startPrometheus({
    dir: mkdtempSync(join(tmpdir(), 'meshdeck-rollout-prom-')),
    target: new URL(sandbox.trafficUrl!).host,
    port: await freePort(),
    scrapeInterval: '1s',
  }).catch(async (error) => {
    await sandbox.stop();
    throw error;
  });
  const dispatcher = new Agent({ connect: { ca: sandbox.certificate } });
  return {
    sandbox,
    simulator: sandbox.simulator!,
    prometheusUrl: prometheus.url,
    async admin<T>(path: string, init: { method?: string; body?: unknown; type?: string } = {}) {
      const response = await fetch(`${sandbox.url}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: 'Bearer sandbox-admin-token', 'content-type': init.type ?? 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        dispatcher,
      });
      const body = (await response.json()) as T & { message?: string };
      if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${body.message ?? ''}`);
      return body;
    },
    async query(promql) {
      const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${body.error}`);
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async stop() {
      await prometheus.stop();
      await sandbox.stop();
    },
  };
}

/** Waits until `promql` has a sample (Prometheus applies its first targets about 5 s after it starts). */
export async function waitForSample(lab: RolloutLab, promql: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await lab.query(promql)).length === 0) {
    if (Date.now() > deadline)
      throw new Error(`Prometheus had no sample of ${promql} within ${timeoutMs / 1000} s: is it scraping ${lab.sandbox.trafficUrl}/metrics?`);
    await sleep(250);
  }
}

const vsPath = (namespace: string, name: string) => `/apis/networking.istio.io/v1/namespaces/${namespace}/virtualservices/${name}`;

export const readVirtualService = (lab: RolloutLab, namespace: string, name: string) => lab.admin<VirtualService>(vsPath(namespace, name));

/** The weights of a route, in destination order (a missing weight is 0, or 100 for a single destination). */
export function routeWeights(vs: Pick<VirtualService, 'spec'>, route: number): number[] {
  const entries = vs.spec.http?.[route]?.route ?? [];
  return entries.map((entry) => entry.weight ?? (entries.length === 1 ? 100 : 0));
}

/** One version of the VirtualService as the sandbox stored it. */
export interface RecordedVersion {
  /** When the sandbox stored it (epoch ms). */
  at: number;
  resourceVersion: string;
  weights: number[];
  state?: RolloutState;
}

export interface VersionRecorder {
  versions: RecordedVersion[];
  /** The versions whose weights differ from the version before them (the first version counts). */
  weightChanges(): RecordedVersion[];
  /** The first recorded version (after `since`) that satisfies `test`, waited for up to `timeoutMs`; throws naming `what`. */
  waitFor(what: string, test: (version: RecordedVersion) => boolean, timeoutMs: number, since?: number): Promise<RecordedVersion>;
  stop(): void;
}

/**
 * Records every version of one VirtualService from the sandbox's own store, so no write the
 * controller makes is missed between two polls; starts with the version stored now.
 */
export function recordVirtualService(lab: RolloutLab, namespace: string, name: string, route: number): VersionRecorder {
  const { store, registry } = lab.sandbox;
  const type = registry.byPath('networking.istio.io', 'v1', 'virtualservices')!;
  const versions: RecordedVersion[] = [];
  const record = (object: KubeObject) => {
    const vs = object as unknown as VirtualService;
    const rollout = rolloutOf(vs);
    versions.push({
      at: Date.now(),
      resourceVersion: object.metadata.resourceVersion!,
      weights: routeWeights(vs, route),
      state: rollout && 'state' in rollout ? rollout.state : undefined,
    });
  };
  const current = store.get(type, namespace, name);
  if (!current) throw new Error(`the sandbox has no VirtualService ${namespace}/${name}`);
  record(current);
  const stop = store.watch({
    key: `${type.group}/${type.plural}`,
    namespace,
    deliver: (event) => {
      if (event.type !== 'DELETED' && event.object.metadata.name === name) record(event.object);
    },
  });
  return {
    versions,
    weightChanges: () => versions.filter((v, i) => i === 0 || v.weights.join() !== versions[i - 1]!.weights.join()),
    async waitFor(what, test, timeoutMs, since = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = versions.find((v) => v.at >= since && test(v));
        if (found) return found;
        if (Date.now() > deadline) {
          const last = versions.at(-1)!;
          throw new Error(
            `${what}: not seen within ${timeoutMs / 1000} s. Last version ${last.resourceVersion}: weights ${last.weights.join('/')}, ` +
              `${last.state ? `rollout ${last.state.phase} at step ${last.state.step}${last.state.pausedReason ? ` (${last.state.pausedReason})` : ''}` : 'no rollout'}`,
          );
        }
        await sleep(50);
      }
    },
    stop,
  };
}

/** Sets a route's weights and removes any rollout annotation: the scene before a test's rollout. */
export async function resetRoute(lab: RolloutLab, namespace: string, name: string, route: number, weights: number[]): Promise<void> {
  const vs = await readVirtualService(lab, namespace, name);
  const ops: unknown[] = [
    { op: 'test', path: '/metadata/resourceVersion', value: vs.metadata.resourceVersion },
    ...weights.map((weight, i) => ({ op: 'replace', path: `/spec/http/${route}/route/${i}/weight`, value: weight })),
  ];
  if (rolloutOf(vs)) ops.push({ op: 'remove', path: '/metadata/annotations/meshdeck.io~1rollout' });
  await lab.admin(vsPath(namespace, name), { method: 'PATCH', type: 'application/json-patch+json', body: ops });
}

/**
 * Starts a rollout the way the API does (the plan checked, then one precondition write of step 0),
 * as the admin, so these tests do not depend on the dashboard's routes.
 */
export async function beginRollout(lab: RolloutLab, namespace: string, name: string, plan: RolloutPlan, reason: string): Promise<VirtualService> {
  const vs = await readVirtualService(lab, namespace, name);
  const problems = planProblems(vs, plan);
  if (problems.length > 0) throw new Error(`the test's plan is refused: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  const transition = startRollout(vs, plan, { by: 'integration-test', reason, now: new Date() });
  return lab.admin<VirtualService>(vsPath(namespace, name), { method: 'PATCH', type: 'application/json-patch+json', body: rolloutPatch(vs, transition) });
}

/** The audit entries recorded about one object, oldest first. */
export async function auditEntriesOf(lab: RolloutLab, namespace: string, name: string): Promise<AuditEntry[]> {
  const list = await lab.admin<{ items: { data?: Record<string, string> }[] }>(
    `/api/v1/namespaces/${namespace}/configmaps?labelSelector=${encodeURIComponent('meshdeck.io/audit=entry')}`,
  );
  return list.items
    .map((map) => JSON.parse(map.data?.['entry.json'] ?? '{}') as AuditEntry)
    .filter((entry) => entry.resource?.name === name)
    .sort((a, b) => a.time.localeCompare(b.time));
}

export interface KubeEvent {
  reason: string;
  message: string;
  type: string;
  involvedObject: { name: string; resourceVersion?: string };
  metadata: { annotations?: Record<string, string> };
}

/** The Events about one object. */
export async function eventsOf(lab: RolloutLab, namespace: string, name: string): Promise<KubeEvent[]> {
  const list = await lab.admin<{ items: KubeEvent[] }>(`/api/v1/namespaces/${namespace}/events`);
  return list.items.filter((event) => event.involvedObject.name === name);
}

/** The Lease's holder, if the Lease exists. */
export async function leaseHolder(lab: RolloutLab, namespace: string, name: string): Promise<string | undefined> {
  try {
    const lease = await lab.admin<{ spec: { holderIdentity?: string } }>(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`);
    return lease.spec.holderIdentity || undefined;
  } catch (error) {
    if (/: 404 /.test((error as Error).message)) return undefined;
    throw error;
  }
}

export interface ControllerProcess {
  /** Its identity in the Lease. */
  identity: string;
  child: ChildProcess;
  /** What it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Ends it: SIGKILL is a crash (the Lease is not given up), SIGTERM a clean stop. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a process that runs only the dashboard's background controllers (`command`), as the
 * dashboard's service account against the lab's sandbox and Prometheus. Ended with the test worker.
 */
export function spawnController(lab: RolloutLab, identity: string, command: string[]): ControllerProcess {
  const child = endWithWorker(
    spawn(command[0]!, command.slice(1), {
      env: { ...process.env, KUBECONFIG: lab.sandbox.kubeconfig, MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard', MESHDECK_PROMETHEUS_URL: lab.prometheusUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    identity,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, signal);
      await exited;
    },
  };
}
