import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './errors';
import { LeaderLoop, leaseExpiry, leaseFailureCause, shouldTake, type LeaderLoopOptions } from './lease-election';

describe('lease leadership', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');
  it('takes a free lease, renews its own, and waits while another holder is fresh', () => {
    expect(shouldTake({}, 'me', now)).toBe(true);
    expect(shouldTake({ holderIdentity: '' }, 'me', now)).toBe(true); // released on shutdown
    expect(shouldTake({ holderIdentity: 'me', renewTime: '2026-11-24T09:59:59.000000Z' }, 'me', now)).toBe(true);
    expect(shouldTake({ holderIdentity: 'other', renewTime: '2026-11-24T09:59:55.000000Z', leaseDurationSeconds: 15 }, 'me', now)).toBe(false);
  });
  it('takes over a lease whose holder stopped renewing', () => {
    expect(shouldTake({ holderIdentity: 'other', renewTime: '2026-11-24T09:59:30.000000Z', leaseDurationSeconds: 15 }, 'me', now)).toBe(true);
  });
  it('knows when a lease stops being fresh', () => {
    expect(leaseExpiry({ holderIdentity: 'a', renewTime: '2026-11-24T10:00:00.000000Z', leaseDurationSeconds: 10 }, 15)).toBe(now + 10_000);
    expect(leaseExpiry({ holderIdentity: 'a', renewTime: '2026-11-24T10:00:00.000000Z' }, 15)).toBe(now + 15_000);
    expect(leaseExpiry({ renewTime: '2026-11-24T10:00:00.000000Z' }, 15)).toBeUndefined();
  });
});

describe('why a lease cannot be held', () => {
  // Status bodies as a real kube-apiserver sends them (../shared/k8s-golden 41 and a Forbidden).
  it('names a missing namespace from the Status details, not from the message', () => {
    const missing = new ApiError(404, 'namespaces "meshdeck" not found', 'NotFound', { name: 'meshdeck', kind: 'namespaces' });
    expect(leaseFailureCause(missing, 'create', 'meshdeck')).toBe('namespace meshdeck does not exist');
  });
  it('names the missing permission', () => {
    const forbidden = new ApiError(403, 'leases.coordination.k8s.io is forbidden: User "system:serviceaccount:meshdeck:meshdeck" cannot create resource "leases"', 'Forbidden', { group: 'coordination.k8s.io', kind: 'leases' });
    expect(leaseFailureCause(forbidden, 'create', 'meshdeck')).toMatch(/^the dashboard may not create leases in namespace meshdeck/);
  });
  it('passes other failures through', () => {
    expect(leaseFailureCause(new ApiError(503, 'The Kubernetes API is unreachable (ECONNREFUSED)'), 'read', 'meshdeck')).toBe('The Kubernetes API is unreachable (ECONNREFUSED)');
  });
});

describe('several works sharing one Lease', () => {
  // A loop that leads without an API server: the election itself is tested above and against the sandbox.
  function leadingLoop(options: Partial<LeaderLoopOptions>) {
    const loop = new LeaderLoop({ label: 'reconciler', namespace: 'meshdeck', name: 'lease', identity: 'me', ...options });
    vi.spyOn(loop.elector, 'tick').mockResolvedValue(true);
    vi.spyOn(loop.elector, 'status').mockReturnValue({
      namespace: 'meshdeck',
      name: 'lease',
      identity: 'me',
      competing: true,
      leading: true,
      holder: 'me',
      expiresAt: new Date(Date.now() + 15_000).toISOString(),
    });
    return loop;
  }
  const quiet = () => vi.spyOn(console, 'warn').mockImplementation(() => undefined);

  it('runs every work each round; one failing neither stops the other nor disarms it', async () => {
    quiet();
    let reverts = 0;
    const loop = leadingLoop({
      works: [
        { name: 'emergency-revert', run: async () => void reverts++ },
        { name: 'rollout-controller', run: () => Promise.reject(new ApiError(503, 'Prometheus is unreachable')) },
      ],
    });
    await loop.tick();
    await loop.tick();
    expect(reverts).toBe(2);
    expect(await loop.arming('emergency-revert')).toMatchObject({ armed: true, holder: 'me' });
    expect(await loop.arming('rollout-controller')).toMatchObject({ armed: false, reason: 'the leading replica fails: Prometheus is unreachable' });
    expect((await loop.arming()).armed).toBe(true); // the first work by default
  });

  it('lets a slow work skip ticks without holding the others back', async () => {
    let reverts = 0;
    let slowRounds = 0;
    let finish: () => void = () => undefined;
    const slow = () => new Promise<void>((resolve) => ((slowRounds += 1), (finish = resolve)));
    const loop = leadingLoop({ works: [{ name: 'rollout-controller', run: slow }, { name: 'emergency-revert', run: async () => void reverts++ }] });
    const first = loop.tick();
    while (slowRounds < 1) await new Promise((resolve) => setTimeout(resolve, 5)); // its round has begun
    await loop.tick();
    await loop.tick();
    expect([reverts, slowRounds]).toEqual([3, 1]); // the slow round still runs: not started again
    finish();
    await first;
    const next = loop.tick();
    while (slowRounds < 2) await new Promise((resolve) => setTimeout(resolve, 5)); // once ended, it runs again
    finish();
    await next;
  });

  it('is armed again once a failing work has a round that works', async () => {
    quiet();
    let fail = true;
    const failing = leadingLoop({ work: () => (fail ? Promise.reject(new ApiError(500, 'boom')) : Promise.resolve()) });
    await failing.tick();
    expect((await failing.arming('reconciler')).reason).toBe('the leading replica fails: boom');
    fail = false;
    await failing.tick();
    expect((await failing.arming('reconciler')).armed).toBe(true);
  });

  it('says when it was started without a work', async () => {
    const loop = leadingLoop({ work: async () => undefined });
    expect(await loop.arming('rollout-controller')).toMatchObject({ armed: false, reason: "this replica's leader loop was started without the rollout-controller" });
  });
});
