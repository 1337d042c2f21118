// The controller's round with the cluster, Prometheus and the audit trail stood in for: what it
// writes (one patch with the version it decided from), what it audits, what it measures
// together, and how it meets conflicts and failures. The real thing runs in
// controller.integration.test.ts against the sandbox and a real Prometheus.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/k8s/errors';
import { CONTROLLER_ACTOR, encodeRollout, ROLLOUT_ANNOTATION, rolloutOf, startRollout, type GateMeasurement, type RolloutPlan } from '@/lib/mesh/rollout';
import type { JsonPatchOp } from '@/lib/mesh/patches';
import type { DestinationRule, VirtualService } from '@/lib/mesh/types';
import type { GateRequest, GateResult } from '@/lib/metrics/rollout';

const cluster = vi.hoisted(() => ({ virtualServices: [] as unknown[], destinationRules: [] as unknown[] }));
vi.mock('@/lib/k8s/caches', () => ({
  cacheFor: async (descriptor: { plural: string }) => ({
    list: () => (descriptor.plural === 'virtualservices' ? cluster.virtualServices : cluster.destinationRules),
  }),
}));
vi.mock('@/lib/k8s/writes', () => ({ jsonPatch: vi.fn(), getObject: vi.fn() }));
vi.mock('@/lib/audit/audit', () => ({ newEntry: (fields: unknown) => fields, recordAudit: vi.fn(async () => ({ recorded: true, id: 'x' })) }));
vi.mock('@/lib/metrics/rollout', () => ({ measureRollouts: vi.fn() }));

const { getObject, jsonPatch } = vi.mocked(await import('@/lib/k8s/writes'));
const { recordAudit } = vi.mocked(await import('@/lib/audit/audit'));
const { measureRollouts } = vi.mocked(await import('@/lib/metrics/rollout'));
const { reconcileRollouts } = await import('./controller');

const T0 = Date.parse('2026-11-26T12:00:00Z');
// Steps of a minute, checked every 30 s; a check fails above 5 % errors.
const subset = (name: string) => ({ host: 'checkout', subset: name });
const timing = { stepSeconds: 60, intervalSeconds: 30, windowSeconds: 60 };
const plan: RolloutPlan = {
  route: 0,
  stable: subset('v1'),
  candidate: subset('v2'),
  steps: [10, 50],
  ...timing,
  gates: { maxErrorRate: 0.05 },
  maxFailedChecks: 2,
};
const rule: DestinationRule = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'checkout', namespace: 'shop', resourceVersion: '1' },
  spec: {
    host: 'checkout',
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ],
  },
};

// Each test its own VirtualService: the controller remembers versions it acted on, by name.
let serial = 0;
/** A VirtualService as the cluster holds it once a rollout started on it at T0 (`weights`: someone may have changed them since). */
function rolloutOn(weights?: number[]): VirtualService {
  const vs: VirtualService = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: `checkout-${++serial}`, namespace: 'shop', resourceVersion: '10' },
    spec: {
      hosts: ['checkout'],
      http: [
        {
          name: 'split',
          route: [
            { destination: { host: 'checkout', subset: 'v1' }, weight: 100 },
            { destination: { host: 'checkout', subset: 'v2' }, weight: 0 },
          ],
        },
      ],
    },
  };
  const started = startRollout(vs, plan, { by: 'alice', reason: 'ship v2', now: new Date(T0) });
  const applied = (weights ?? started.weights!).map((weight, i) => ({ ...vs.spec.http![0]!.route![i]!, weight }));
  return {
    ...vs,
    metadata: { ...vs.metadata, resourceVersion: '11', annotations: { [ROLLOUT_ANNOTATION]: encodeRollout(started.state) } },
    spec: { ...vs.spec, http: [{ ...vs.spec.http![0]!, route: applied }] },
  };
}

const errorRate = (value: number): GateMeasurement => ({ gate: 'errorRate', value, threshold: 0.05, bound: 'max', verdict: value <= 0.05 ? 'pass' : 'fail' });
const measuring = (result: GateResult) => measureRollouts.mockImplementation(async (requests: GateRequest[]) => requests.map(() => result));
/** The VirtualService a patch produced, as the API answers it. */
const answered = (vs: VirtualService, resourceVersion: string) => ({ ...vs, metadata: { ...vs.metadata, resourceVersion } });
/** The rollout state a patch writes. */
const written = (ops: JsonPatchOp[]) => {
  const op = ops.find((o) => o.path.endsWith('meshdeck.io~1rollout'))!;
  return rolloutOf({ metadata: { name: 'x', namespace: 'x', resourceVersion: '', annotations: { [ROLLOUT_ANNOTATION]: op.value as string } } }) as {
    state: ReturnType<typeof startRollout>['state'];
  };
};

beforeEach(() => {
  vi.clearAllMocks();
  cluster.destinationRules = [rule];
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
});

describe('a round of the rollout controller', () => {
  it('moves a passing rollout to its next step in one patch based on the version it read, and audits it', async () => {
    const vs = rolloutOn();
    cluster.virtualServices = [vs];
    measuring({ measurements: [errorRate(0.01)] });
    jsonPatch.mockResolvedValue(answered(vs, '12'));
    await reconcileRollouts(T0 + 61_000);

    expect(jsonPatch).toHaveBeenCalledTimes(1);
    const [, namespace, name, ops] = jsonPatch.mock.calls[0]! as [unknown, string, string, JsonPatchOp[]];
    expect([namespace, name]).toEqual(['shop', vs.metadata.name]);
    expect(ops).toContainEqual({ op: 'replace', path: '/metadata/resourceVersion', value: '11' });
    expect(ops).toContainEqual({ op: 'replace', path: '/spec/http/0/route/1/weight', value: 50 });
    expect(written(ops).state).toMatchObject({ step: 1, expectedWeights: [50, 50] });
    expect(recordAudit).toHaveBeenCalledWith(
      expect.objectContaining({
        user: CONTROLLER_ACTOR,
        role: 'system',
        action: 'rollout.advance',
        resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'shop', name: vs.metadata.name },
        reason: 'rollout started by alice: ship v2',
        // What moved, in words: the weights by destination and the rollout's step, not the whole annotation.
        changes: [
          { path: '/spec/http/0/route/0/weight', label: 'v1 weight', before: { value: 90 }, after: { value: 50 } },
          { path: '/spec/http/0/route/1/weight', label: 'v2 weight', before: { value: 10 }, after: { value: 50 } },
          {
            path: '/metadata/annotations/meshdeck.io~1rollout',
            label: 'rollout',
            before: { described: 'Progressing, step 1 of 2 (10 %)' },
            after: { described: 'Progressing, step 2 of 2 (50 %)' },
          },
        ],
        result: 'applied',
        resourceVersion: '12',
      }),
    );
    expect(JSON.stringify(recordAudit.mock.calls[0]![0]).length).toBeLessThan(1000);
  });

  it('records a check that moves nothing without an audit entry, and waits for the next interval', async () => {
    const vs = rolloutOn();
    cluster.virtualServices = [vs];
    measuring({ measurements: [errorRate(0.01)] });
    jsonPatch.mockResolvedValue(answered(vs, '12'));
    await reconcileRollouts(T0 + 10_000); // no check due yet
    expect(measureRollouts).not.toHaveBeenCalled();
    await reconcileRollouts(T0 + 31_000);
    const ops = jsonPatch.mock.calls[0]![3] as JsonPatchOp[];
    expect(ops.some((op) => op.path.includes('/weight'))).toBe(false);
    expect(written(ops).state.history[0]!.checks).toHaveLength(1);
    expect(recordAudit).not.toHaveBeenCalled();
  });

  it('pauses a rollout whose weights someone else changed, without measuring or writing weights', async () => {
    const vs = rolloutOn([70, 30]);
    cluster.virtualServices = [vs];
    jsonPatch.mockResolvedValue(answered(vs, '12'));
    await reconcileRollouts(T0 + 61_000);
    expect(measureRollouts).not.toHaveBeenCalled();
    const ops = jsonPatch.mock.calls[0]![3] as JsonPatchOp[];
    expect(ops.some((op) => op.path.includes('/weight') && op.op !== 'test')).toBe(false);
    expect(written(ops).state).toMatchObject({ phase: 'Paused', pausedReason: expect.stringContaining('changed outside the rollout') });
    expect(recordAudit).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'rollout.foreign-change',
        resourceVersion: '12',
        // The weights are someone else's: the pause names only the rollout's move.
        changes: [
          {
            path: '/metadata/annotations/meshdeck.io~1rollout',
            label: 'rollout',
            before: { described: 'Progressing, step 1 of 2 (10 %)' },
            after: { described: 'Paused, step 1 of 2 (10 %)' },
          },
        ],
      }),
    );
  });

  it('measures every due rollout of the round together', async () => {
    const [a, b] = [rolloutOn(), rolloutOn()];
    cluster.virtualServices = [a, b];
    measuring({ measurements: [errorRate(0.01)] });
    jsonPatch.mockImplementation(async (_d, _ns, name) => answered(name === a.metadata.name ? a : b, '12'));
    await reconcileRollouts(T0 + 31_000);
    expect(measureRollouts).toHaveBeenCalledTimes(1);
    const [requests, now] = measureRollouts.mock.calls[0]!;
    expect(requests.map((r) => r.targets)).toEqual([
      { stable: { namespace: 'shop', service: 'checkout', version: 'v1' }, candidate: { namespace: 'shop', service: 'checkout', version: 'v2' } },
      { stable: { namespace: 'shop', service: 'checkout', version: 'v1' }, candidate: { namespace: 'shop', service: 'checkout', version: 'v2' } },
    ]);
    expect(now).toBe(T0 + 31_000);
    expect(jsonPatch).toHaveBeenCalledTimes(2);
  });

  it('holds a check that cannot measure, saying why (Prometheus down, or no version to select)', async () => {
    const vs = rolloutOn();
    cluster.virtualServices = [vs];
    measuring({ measurements: [{ ...errorRate(0), value: null, verdict: 'hold' }], error: 'Prometheus could not measure the error rate: unreachable' });
    jsonPatch.mockResolvedValue(answered(vs, '12'));
    await reconcileRollouts(T0 + 31_000);
    expect(written(jsonPatch.mock.calls[0]![3] as JsonPatchOp[]).state.history[0]!.checks[0]).toMatchObject({
      verdict: 'hold',
      error: 'Prometheus could not measure the error rate: unreachable',
    });

    const other = rolloutOn();
    cluster.virtualServices = [other];
    cluster.destinationRules = [{ ...rule, spec: { ...rule.spec, subsets: [{ name: 'v1', labels: { version: 'v1' } }] } }];
    jsonPatch.mockResolvedValue(answered(other, '12'));
    await reconcileRollouts(T0 + 31_000);
    expect(measureRollouts).toHaveBeenCalledTimes(1); // only the first round measured
    expect(written(jsonPatch.mock.calls[1]![3] as JsonPatchOp[]).state.history[0]!.checks[0]).toMatchObject({
      verdict: 'hold',
      measurements: [{ gate: 'errorRate', value: null, verdict: 'hold' }],
      error: 'the gates cannot be measured: candidate: no DestinationRule of checkout defines the subset v2',
    });
  });

  it('meets a conflict quietly, then decides again from a fresh read while the cache still shows the old version', async () => {
    const vs = rolloutOn();
    cluster.virtualServices = [vs];
    measuring({ measurements: [errorRate(0.01)] });
    jsonPatch.mockRejectedValueOnce(new ApiError(409, 'the object has been modified', 'Conflict'));
    await reconcileRollouts(T0 + 61_000); // does not throw: someone else wrote first
    expect(recordAudit).not.toHaveBeenCalled();

    // Someone paused it meanwhile: the fresh object says so, and nothing is written over it.
    const state = rolloutOf(vs) as { state: ReturnType<typeof startRollout>['state'] };
    const paused = {
      ...vs,
      metadata: { ...vs.metadata, resourceVersion: '12', annotations: { [ROLLOUT_ANNOTATION]: encodeRollout({ ...state.state, phase: 'Paused' }) } },
    };
    getObject.mockResolvedValueOnce(paused);
    await reconcileRollouts(T0 + 62_000);
    expect(getObject).toHaveBeenCalledWith(expect.anything(), 'shop', vs.metadata.name);
    expect(jsonPatch).toHaveBeenCalledTimes(1);

    // The cache caught up: it is read from the cache again.
    cluster.virtualServices = [paused];
    await reconcileRollouts(T0 + 63_000);
    expect(getObject).toHaveBeenCalledTimes(1);
  });

  it('carries the other rollouts on when one cannot be written, and fails the round naming it', async () => {
    const [a, b] = [rolloutOn(), rolloutOn()];
    cluster.virtualServices = [a, b];
    measuring({ measurements: [errorRate(0.01)] });
    jsonPatch
      .mockRejectedValueOnce(new ApiError(403, 'virtualservices.networking.istio.io is forbidden', 'Forbidden'))
      .mockResolvedValueOnce(answered(b, '12'));
    await expect(reconcileRollouts(T0 + 61_000)).rejects.toThrow(
      `rollouts not carried on: shop/${a.metadata.name}: virtualservices.networking.istio.io is forbidden`,
    );
    expect(jsonPatch).toHaveBeenCalledTimes(2);
    expect(recordAudit).toHaveBeenCalledTimes(1);
  });

  it('leaves paused, ended and unreadable rollouts alone', async () => {
    const vs = rolloutOn();
    const state = (rolloutOf(vs) as { state: ReturnType<typeof startRollout>['state'] }).state;
    const annotated = (text: string) => ({ ...vs, metadata: { ...vs.metadata, annotations: { [ROLLOUT_ANNOTATION]: text } } });
    cluster.virtualServices = [
      annotated(encodeRollout({ ...state, phase: 'Paused' })),
      annotated(encodeRollout({ ...state, phase: 'Promoted' })),
      annotated('{'),
    ];
    await reconcileRollouts(T0 + 61_000);
    expect(jsonPatch).not.toHaveBeenCalled();
    expect(measureRollouts).not.toHaveBeenCalled();
  });
});
