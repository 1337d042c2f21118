// The Security page's writes against a running sandbox: an emergency extension adds time to
// the deadline (capped at 24 hours from now), and a token bucket edit based on an old
// resourceVersion is refused without touching the object.
import { describe, expect, it } from 'vitest';
import { dashboardSandbox, type PeerAuthenticationJson } from '../security/sandbox-requests';

const paPath = '/apis/security.istio.io/v1/namespaces/ai-nutritionist/peerauthentications/default';
const efPath = '/apis/networking.istio.io/v1alpha3/namespaces/ai-nutritionist/envoyfilters/ai-coach-rate-limit';
const api = dashboardSandbox();
const revertAt = async () => (await api<PeerAuthenticationJson>(paPath)).metadata.annotations?.['meshdeck.io/emergency-revert-at'];

/** Retries while the watch cache has not seen the last write yet (a stale read is a 409, never a lost write). */
async function once<T>(write: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await write();
    } catch (error) {
      if ((error as { status?: number }).status !== 409 || i >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}


describe('emergency extension', () => {
  it('adds the minutes to the current deadline, and caps it at 24 hours from now', async () => {
    const { startEmergency, extendEmergency, restoreEmergency } = await import('./security');
    await startEmergency('ai-nutritionist', { reason: 'partner without mesh certificate', minutes: 5 }, 'admin@meshdeck.local', {});
    const before = await revertAt();
    const extended = await once(() => extendEmergency('ai-nutritionist', 30, {}));
    expect(await revertAt()).toBe(new Date(Date.parse(before!) + 30 * 60_000).toISOString());
    expect(extended.item).toMatchObject({ previousRevertAt: before, revertAt: await revertAt(), capped: false });
    expect(extended.item.message).toContain('(+30 minutes)');

    const capped = await once(() => extendEmergency('ai-nutritionist', 24 * 60, {}));
    expect(capped.item.capped).toBe(true);
    expect(capped.item.message).toContain('capped');
    expect(Math.abs(Date.parse((await revertAt())!) - (Date.now() + 24 * 3600_000))).toBeLessThan(10_000);

    expect((await once(() => restoreEmergency('ai-nutritionist', {}))).summary).toBe('mTLS PERMISSIVE → STRICT in ai-nutritionist');
    expect((await api<PeerAuthenticationJson>(paPath)).spec.mtls.mode).toBe('STRICT');
  });
});

describe('token bucket edits', () => {
  type Filter = { metadata: { resourceVersion: string }; spec: unknown };
  it('refuse an edit based on a version someone changed since, and change nothing', async () => {
    const { setTokenBucket } = await import('./security');
    const read = await api<Filter>(efPath);
    await api(efPath, { method: 'PATCH', type: 'application/merge-patch+json', body: { metadata: { annotations: { 'example.com/touched': 'by kubectl' } } } });
    const moved = await api<Filter>(efPath);
    await expect(setTokenBucket('ai-nutritionist', 'ai-coach-rate-limit', 0, { resourceVersion: read.metadata.resourceVersion, maxTokens: 50, tokensPerFill: 5, fillInterval: '60s' }, {})).rejects.toMatchObject({ status: 409 });
    expect(await api<Filter>(efPath)).toEqual(moved);
  });
});
