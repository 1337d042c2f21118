import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from '../../sandbox/api/patch.ts';
import { ANNOTATIONS, emergencyOf, extendedDeadline, extendPatch, restorePatch, startPatch } from './emergency';
import type { PeerAuthentication } from './security-types';

const strict = (): PeerAuthentication & { metadata: { generation: number } } => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: { name: 'default', namespace: 'shop', resourceVersion: '10', generation: 3 },
  spec: { mtls: { mode: 'STRICT' } },
});
const now = new Date('2026-11-24T10:00:00Z');
// Applies a patch the way the API server does, bumping generation when the spec changes.
function apply(pa: PeerAuthentication & { metadata: { generation: number } }, ops: unknown[]) {
  const next = applyJsonPatch(pa, ops) as typeof pa;
  if (JSON.stringify(next.spec) !== JSON.stringify(pa.spec)) next.metadata.generation = pa.metadata.generation + 1;
  next.metadata.resourceVersion = String(Number(pa.metadata.resourceVersion) + 1);
  return next;
}

describe('emergency PERMISSIVE', () => {
  it('relaxes to PERMISSIVE and records the previous mode, reason, who and deadline on the object', () => {
    const patched = apply(strict(), startPatch(strict(), { reason: 'legacy client cut over', by: 'admin@x', now, minutes: 30 }));
    expect(patched.spec.mtls?.mode).toBe('PERMISSIVE');
    expect(emergencyOf(patched)).toEqual({
      namespace: 'shop',
      name: 'default',
      previousMode: 'STRICT',
      reason: 'legacy client cut over',
      by: 'admin@x',
      startedAt: '2026-11-24T10:00:00.000Z',
      revertAt: '2026-11-24T10:30:00.000Z',
      changedSince: false,
      skipped: undefined,
    });
  });

  it('restores the previous mode and clears every annotation', () => {
    const relaxed = apply(strict(), startPatch(strict(), { reason: 'r', by: 'a', now, minutes: 1 }));
    const restored = apply(relaxed, restorePatch(relaxed));
    expect(restored.spec.mtls?.mode).toBe('STRICT');
    expect(Object.keys(restored.metadata.annotations ?? {}).filter((k) => k.startsWith('meshdeck.io/'))).toEqual([]);
  });

  it('notices a spec change made by someone else, and an extension does not count as one', () => {
    const relaxed = apply(strict(), startPatch(strict(), { reason: 'r', by: 'a', now, minutes: 1 }));
    const extended = apply(relaxed, extendPatch(relaxed, new Date('2026-11-24T11:00:00Z')));
    expect(emergencyOf(extended)).toMatchObject({ revertAt: '2026-11-24T11:00:00.000Z', changedSince: false });
    const meddled = apply(extended, [{ op: 'replace', path: '/spec/mtls/mode', value: 'DISABLE' }]);
    expect(emergencyOf(meddled)!.changedSince).toBe(true);
    expect(() => applyJsonPatch(meddled, restorePatch(meddled))).toThrow(/testing value \/spec\/mtls\/mode failed/);
  });

  it('refuses to start twice, or on a policy that is not stricter than PERMISSIVE', () => {
    const relaxed = apply(strict(), startPatch(strict(), { reason: 'r', by: 'a', now, minutes: 1 }));
    expect(() => startPatch(relaxed, { reason: 'r', by: 'a', now, minutes: 1 })).toThrow(/already active/);
    expect(() => startPatch({ ...strict(), spec: { mtls: { mode: 'PERMISSIVE' } } }, { reason: 'r', by: 'a', now, minutes: 1 })).toThrow(/already PERMISSIVE/);
    expect(ANNOTATIONS.revertAt).toBe('meshdeck.io/emergency-revert-at');
  });

  it('extends by adding to the current deadline, capped at 24 hours from now', () => {
    expect(extendedDeadline('2026-11-24T10:20:00.000Z', 30, now)).toEqual({ revertAt: new Date('2026-11-24T10:50:00Z'), capped: false });
    // A deadline already passed (nothing reverted yet): the extension counts from now.
    expect(extendedDeadline('2026-11-24T09:59:00.000Z', 30, now)).toEqual({ revertAt: new Date('2026-11-24T10:30:00Z'), capped: false });
    expect(extendedDeadline('2026-11-25T09:50:00.000Z', 30, now)).toEqual({ revertAt: new Date('2026-11-25T10:00:00Z'), capped: true });
  });
});
