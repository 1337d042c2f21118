// The rollout controller against the sandbox, its traffic simulator and a real Prometheus
// (scraped every second), run as the dashboard's background process with seconds-long steps:
// a healthy canary is promoted step by step, a kubectl change pauses it for good, a killed
// controller and a failed-over Lease continue a rollout exactly where it was, and a canary that
// starts failing is rolled back within one check interval. Every VirtualService version the
// sandbox stored is recorded, so the weights the controller wrote are known in order.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, scenarioDir, withOverrides, type Scenario } from '../../sandbox/traffic/scenario.ts';
import type { AuditEntry } from '../audit/audit.ts';
import type { RolloutPlan } from '../mesh/rollout.ts';
import {
  auditEntriesOf,
  beginRollout,
  eventsOf,
  leaseHolder,
  recordVirtualService,
  resetRoute,
  sleep,
  spawnController,
  startRolloutLab,
  type ControllerProcess,
  type RecordedVersion,
  type RolloutLab,
  type VersionRecorder,
  waitForSample,
} from './rollout-lab.testing.ts';

const NS = 'ai-nutritionist';
const VS = 'nutrition-service-canary';
const ROUTE = 3; // default-split: stable, canary
const LEASE = { namespace: 'meshdeck', name: 'meshdeck-emergency-reconciler' };
/** The controller's Lease and loop, short for tests: a dead leader's Lease expires in 2 s. */
const LEASE_SECONDS = 2;
const TICK_MS = 250;
const CONTROLLER_ACTOR = 'meshdeck (rollout controller)';

// Only the split sends requests to the canary (no beta cohort, feature flag or load test), so
// its share follows the weights the controller writes.
const splitOnly = (scenario: Scenario) => withOverrides(scenario, { headers: { canaryOptIn: 0, newProviderFlag: 0, loadTest: 0 } });
const scenarioFile = (name: string) => splitOnly(loadScenario(join(scenarioDir, `${name}.yaml`)));

const requestsOf = (version: string) =>
  `sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="${NS}",destination_service_name="nutrition-service",destination_version="${version}"}[5s]))`;

/** The canary's 5xx share over `window` seconds, as the error-rate gate measures it. */
const canaryErrorShare = (windowSeconds: number) => {
  const selector = `reporter="destination",destination_service_namespace="${NS}",destination_service_name="nutrition-service",destination_version="canary"`;
  return `sum(rate(istio_requests_total{${selector},response_code=~"5.."}[${windowSeconds}s])) / sum(rate(istio_requests_total{${selector}}[${windowSeconds}s]))`;
};

const plan = (overrides: Partial<RolloutPlan> = {}): RolloutPlan => ({
  route: ROUTE,
  stable: { host: 'nutrition-service', subset: 'stable' },
  candidate: { host: 'nutrition-service', subset: 'canary' },
  steps: [5, 25, 50, 100],
  stepSeconds: 2,
  intervalSeconds: 1,
  windowSeconds: 3,
  gates: { minRequests: 10, maxErrorRate: 0.05 },
  // Two failures in a row: one rare error of a healthy canary (0.2 %) among the few dozen requests
  // of a 3 s window at 5 % (about 2 % of checks there) does not end it; two in a row almost never happen.
  maxFailedChecks: 2,
  ...overrides,
});

/** How long a plan takes at most when every check passes: each step, a check interval late, plus slack for this loaded machine. */
const promotedWithin = (p: RolloutPlan) => p.steps.length * (p.stepSeconds + p.intervalSeconds + 1) * 1000 + 5000;

let lab: RolloutLab;
let recorder: VersionRecorder | undefined;
const replicas: ControllerProcess[] = [];

beforeAll(async () => {
  lab = await startRolloutLab(scenarioFile('nutrition-canary-healthy'));
  startReplica(); // boots while Prometheus takes its first samples
  await waitForSample(lab, requestsOf('stable'));
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
  await lab?.stop();
}, 30_000);

afterEach((context) => {
  recorder?.stop();
  recorder = undefined;
  // A failed case shows what the controllers said.
  if (context.task.result?.state === 'fail')
    for (const [i, replica] of replicas.entries())
      console.error(`controller replica ${i} (pid ${replica.child.pid}) printed:\n${replica.output().slice(-4000)}`);
});

// ---------------------------------------------------------------------------------------------

/** Starts a controller replica: the dashboard's background works only (lib/rollout/run-controller.ts), under tsx as the dashboard's service account. */
function startReplica(): ControllerProcess {
  const identity = `replica-${replicas.length + 1}`;
  const entry = ['node_modules/tsx/dist/cli.mjs', 'lib/rollout/run-controller.ts'];
  const flags = ['--identity', identity, '--lease-seconds', String(LEASE_SECONDS), '--tick-ms', String(TICK_MS)];
  const replica = spawnController(lab, identity, [process.execPath, ...entry, ...flags]);
  replicas.push(replica);
  return replica;
}

const alive = (replica: ControllerProcess) => replica.child.exitCode === null && replica.child.signalCode === null;

/** Waits until `replica` holds the Lease (a killed holder's Lease first expires). */
async function leading(replica: ControllerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const holder = await leaseHolder(lab, LEASE.namespace, LEASE.name);
    if (holder === replica.identity) return;
    if (!alive(replica)) throw new Error(`controller ${replica.identity} exited (${replica.child.exitCode ?? replica.child.signalCode}):\n${replica.output()}`);
    if (Date.now() > deadline)
      throw new Error(`${replica.identity} did not hold Lease ${LEASE.namespace}/${LEASE.name} within ${timeoutMs / 1000} s (holder: ${holder ?? 'none'})`);
    await sleep(50);
  }
}

/** Waits until a replica printed `text` (run-controller says when it runs and who it sees holding the Lease). */
async function printed(replica: ControllerProcess, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!replica.output().includes(text)) {
    if (!alive(replica) || Date.now() > deadline)
      throw new Error(`${replica.identity} did not print "${text}" within ${timeoutMs / 1000} s:\n${replica.output()}`);
    await sleep(50);
  }
}

/** Exactly one live replica, leading (started if there is none); returns it. */
async function oneLeader(): Promise<ControllerProcess> {
  const live = replicas.filter(alive);
  const replica = live[0] ?? startReplica();
  for (const extra of live.slice(1)) await extra.stop('SIGTERM');
  await leading(replica, 30_000);
  return replica;
}

/** A fresh rollout of the canary on a route at stable 100 %, recorded from the first write. */
async function freshRollout(p: RolloutPlan, reason: string): Promise<VersionRecorder> {
  await resetRoute(lab, NS, VS, ROUTE, [100, 0]);
  recorder = recordVirtualService(lab, NS, VS, ROUTE);
  await beginRollout(lab, NS, VS, p, reason);
  return recorder;
}

/** The canary's weights in the order the route carried them (each change once). */
const canaryWeights = (r: VersionRecorder) => r.weightChanges().map((v) => v.weights[1]);

/** The rollout's step as each version recorded it, each change once: a repeated or skipped step shows here. */
function stepSequence(r: VersionRecorder): number[] {
  const steps: number[] = [];
  for (const v of r.versions) if (v.state && steps.at(-1) !== v.state.step) steps.push(v.state.step);
  return steps;
}

/**
 * The controller's audit entries about the route since `since` (ISO time), once `done` says they
 * are complete or after 5 s (each is stored just after its write, so it may trail the version).
 */
async function controllerAudit(since: string, done: (entries: AuditEntry[]) => boolean): Promise<AuditEntry[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const entries = (await auditEntriesOf(lab, NS, VS)).filter((e) => e.user === CONTROLLER_ACTOR && e.time >= since);
    if (done(entries) || Date.now() > deadline) return entries;
    await sleep(100);
  }
}

const hasVersion = (resourceVersion: string) => (entries: AuditEntry[]) => entries.some((e) => e.resourceVersion === resourceVersion);

const phaseIs = (phase: string) => (v: RecordedVersion) => v.state?.phase === phase;

// ---------------------------------------------------------------------------------------------

describe('the rollout controller on live traffic', () => {
  it('promotes a healthy canary through its steps, with an audit entry and an Event for each step', async () => {
    await oneLeader();
    const p = plan();
    const r = await freshRollout(p, 'healthy canary');
    const promoted = await r.waitFor('the rollout promoted', phaseIs('Promoted'), promotedWithin(p));

    expect(canaryWeights(r)).toEqual([0, 5, 25, 50, 100]);
    expect(stepSequence(r)).toEqual([0, 1, 2, 3, 4]);
    expect(promoted.state!.history.map((s) => [s.index, s.weight, s.outcome])).toEqual([
      [0, 5, 'passed'],
      [1, 25, 'passed'],
      [2, 50, 'passed'],
      [3, 100, 'passed'],
    ]);

    // Every write of the controller that moved the weights, and the promotion, has its audit entry
    // (naming the version it produced) and its Event.
    const moves = r.weightChanges().slice(2); // after the reset and the start
    const entries = await controllerAudit(promoted.state!.startedAt, hasVersion(promoted.resourceVersion));
    expect(entries.map((e) => e.action)).toEqual(['rollout.advance', 'rollout.advance', 'rollout.advance', 'rollout.promote']);
    expect(entries.slice(0, 3).map((e) => e.resourceVersion)).toEqual(moves.map((v) => v.resourceVersion));
    expect(entries[3]!.resourceVersion).toBe(promoted.resourceVersion);
    const events = await eventsOf(lab, NS, VS);
    for (const entry of entries)
      expect(
        events.filter((e) => e.metadata.annotations?.['meshdeck.io/audit-id'] === entry.id),
        `an Event for ${entry.action} ${entry.summary}`,
      ).toHaveLength(1);
  }, 60_000);

  it('pauses when kubectl changes the weights mid-rollout, says why, and never writes them again', async () => {
    await oneLeader();
    const p = plan();
    const r = await freshRollout(p, 'kubectl drill');
    await r.waitFor('the rollout at its second step (25 %)', (v) => v.weights[1] === 25, promotedWithin(p));

    const patched = await lab.sandbox.kubectl([
      'patch',
      'virtualservice',
      VS,
      '-n',
      NS,
      '--type=json',
      '-p',
      JSON.stringify([
        { op: 'replace', path: `/spec/http/${ROUTE}/route/0/weight`, value: 70 },
        { op: 'replace', path: `/spec/http/${ROUTE}/route/1/weight`, value: 30 },
      ]),
    ]);
    expect(patched.status, patched.stderr).toBe(0);
    const patchedAt = Date.now();

    const paused = await r.waitFor('the rollout paused', phaseIs('Paused'), (p.intervalSeconds + 3) * 1000);
    expect(paused.state!.pausedReason).toMatch(/changed outside the rollout: expected stable 75 % \/ canary 25 %, found stable 70 % \/ canary 30 %/);
    // Two more steps' time: a controller that still moved the weights would have by now.
    await sleep(2 * (p.stepSeconds + p.intervalSeconds) * 1000);
    const after = r.versions.filter((v) => v.at >= patchedAt);
    expect(after.map((v) => v.weights)).toEqual(after.map(() => [70, 30]));
    expect(r.versions.at(-1)!.state!.phase).toBe('Paused');
    const audit = await controllerAudit(paused.state!.startedAt, hasVersion(paused.resourceVersion));
    expect(audit.map((e) => [e.action, e.resourceVersion])).toEqual([
      ['rollout.advance', expect.any(String)],
      ['rollout.foreign-change', paused.resourceVersion],
    ]);
  }, 60_000);

  it('continues from its step, without repeating or skipping one, when the controller is killed and restarted', async () => {
    const first = await oneLeader();
    const p = plan();
    const r = await freshRollout(p, 'restart drill');
    const mid = await r.waitFor('the rollout at its second step (25 %)', (v) => v.weights[1] === 25, promotedWithin(p));
    // Killed within the step, once the move to it is audited: a kill between a write and its audit
    // entry loses the entry (the annotation's timeline keeps the event), which is not what this tests.
    await controllerAudit(mid.state!.startedAt, hasVersion(mid.resourceVersion));

    await first.stop('SIGKILL'); // a crash: the Lease is not given up, the next replica waits for it to expire
    const killedAt = Date.now();
    const second = startReplica();
    await leading(second, 30_000);
    console.info(`restart: ${second.identity} took the Lease ${Date.now() - killedAt} ms after ${first.identity} was killed (Lease ${LEASE_SECONDS} s)`);
    const promoted = await r.waitFor('the rollout promoted after the restart', phaseIs('Promoted'), promotedWithin(p));

    expect(canaryWeights(r)).toEqual([0, 5, 25, 50, 100]);
    expect(stepSequence(r)).toEqual([0, 1, 2, 3, 4]);
    // The step under way at the kill kept its start: it was continued, not begun again.
    expect(promoted.state!.history.find((s) => s.index === 1)!.startedAt).toBe(mid.state!.history.find((s) => s.index === 1)!.startedAt);
    expect(
      promoted.state!.history.find((s) => s.index === 1)!.checks.some((c) => Date.parse(c.at) > killedAt),
      'a check of the step under way at the kill, made after it',
    ).toBe(true);
    const audit = await controllerAudit(promoted.state!.startedAt, hasVersion(promoted.resourceVersion));
    expect(
      audit.map((e) => e.action),
      'one audit entry per step moved, and the promotion',
    ).toEqual(['rollout.advance', 'rollout.advance', 'rollout.advance', 'rollout.promote']);
  }, 90_000);

  it('fails over to the other replica when the leader is killed, and the rollout goes on', async () => {
    const leader = await oneLeader();
    const standby = startReplica();
    // The standby runs and sees the leader: it only waits for the Lease.
    await printed(standby, `rollout-controller armed by ${leader.identity}`, 30_000);
    const p = plan();
    const r = await freshRollout(p, 'failover drill');
    const mid = await r.waitFor('the rollout at its second step (25 %)', (v) => v.weights[1] === 25, promotedWithin(p));
    await controllerAudit(mid.state!.startedAt, hasVersion(mid.resourceVersion)); // as above

    await leader.stop('SIGKILL');
    const killedAt = Date.now();
    // The Lease expires LEASE_SECONDS after its last renewal (at most a tick before the kill); the
    // standby takes it at its next tick.
    await leading(standby, (LEASE_SECONDS + 2) * 1000);
    console.info(`failover: ${standby.identity} took the Lease ${Date.now() - killedAt} ms after ${leader.identity} was killed (Lease ${LEASE_SECONDS} s)`);
    const promoted = await r.waitFor('the rollout promoted by the new leader', phaseIs('Promoted'), promotedWithin(p));
    expect(alive(standby)).toBe(true);
    expect(canaryWeights(r)).toEqual([0, 5, 25, 50, 100]);
    expect(stepSequence(r)).toEqual([0, 1, 2, 3, 4]);
    expect(promoted.at).toBeGreaterThan(killedAt);
  }, 90_000);

  it('rolls a canary that starts failing back to the stable at the first failed gate, within one check interval', async () => {
    await oneLeader();
    // Rolls back at the first failed check. The gate at 10 %: the healthy phase's rare errors (0.2 %)
    // hardly ever make more than a tenth of a window (two errors among the 10 requests a check needs
    // at least: under 1 in 5,000 checks), while the failing canary's 20 % does within half a window.
    const p = plan({ intervalSeconds: 2, windowSeconds: 3, stepSeconds: 3, maxFailedChecks: 1, gates: { minRequests: 10, maxErrorRate: 0.1 } });
    // The canary fails a fifth of its requests 6 s from now: the rollout starts on healthy numbers.
    const failing = scenarioFile('nutrition-canary-failing');
    lab.simulator.setScenario(withOverrides(failing, { phases: [{ ...failing.phases![0]!, afterSeconds: 6 }] }));
    const failsAt = lab.simulator.nextPhaseAt()!;
    try {
      const r = await freshRollout(p, 'failing canary');
      // When Prometheus first shows the gate failing: the canary's 5xx share over the plan's window above the gate's 10 %.
      let gateFailingAt: number | undefined;
      const watchGate = (async () => {
        while (gateFailingAt === undefined && Date.now() < failsAt + 20_000) {
          const [share] = await lab.query(canaryErrorShare(p.windowSeconds));
          if (share && share.value > p.gates.maxErrorRate!) gateFailingAt = Date.now();
          else await sleep(100);
        }
      })();
      const rolledBack = await r.waitFor('the rollout rolled back', phaseIs('RolledBack'), 30_000);
      await watchGate;

      expect(rolledBack.weights).toEqual([100, 0]);
      expect(rolledBack.state!.expectedWeights).toEqual([100, 0]);
      // The first failed check rolled it back (maxFailedChecks 1), and every check before it passed or held.
      const checks = rolledBack.state!.history.flatMap((s) => s.checks);
      expect(checks.at(-1)!.verdict).toBe('fail');
      expect(checks.slice(0, -1).filter((c) => c.verdict === 'fail')).toEqual([]);
      expect(checks.at(-1)!.measurements.find((m) => m.gate === 'errorRate')).toMatchObject({ verdict: 'fail', threshold: 0.1 });
      expect(checks.at(-1)!.measurements.find((m) => m.gate === 'errorRate')!.value).toBeGreaterThan(0.1);
      expect(rolledBack.state!.history.at(-1)!.outcome).toBe('failed');
      expect(rolledBack.at).toBeGreaterThan(failsAt);

      // Within one check interval of the gate failing: the next check after Prometheus shows the
      // failure comes at most one interval later, found by a controller tick (TICK_MS), plus the
      // query and the write (1 s on this loaded 2-core machine). Prometheus itself shows the
      // failure a scrape (1 s) and part of the window after it began (10 % of errors in a window is
      // half of it at 20 %), plus 1 s.
      expect(gateFailingAt, 'Prometheus never showed the canary failing').toBeDefined();
      const lag = rolledBack.at - gateFailingAt!;
      console.info(
        `failing canary: failure began at +0 ms, gate failing in Prometheus at +${gateFailingAt! - failsAt} ms, rolled back at +${rolledBack.at - failsAt} ms (${lag} ms after the gate failed; interval ${p.intervalSeconds * 1000} ms)`,
      );
      expect(lag).toBeLessThanOrEqual(p.intervalSeconds * 1000 + TICK_MS + 1000);
      expect(gateFailingAt! - failsAt).toBeLessThanOrEqual(1000 + p.windowSeconds * 1000 + 1000);
      const audit = await controllerAudit(rolledBack.state!.startedAt, hasVersion(rolledBack.resourceVersion));
      expect(audit.at(-1), 'an audit entry for the rollback').toMatchObject({ action: 'rollout.rollback', resourceVersion: rolledBack.resourceVersion });
    } finally {
      lab.simulator.setScenario(scenarioFile('nutrition-canary-healthy'));
    }
  }, 60_000);
});
