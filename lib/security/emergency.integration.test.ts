// The emergency workflow against a running sandbox: start, automatic revert at the
// deadline, and a revert skipped (and flagged) when someone changed the policy meanwhile.
import { describe, expect, it } from 'vitest';
import { dashboardSandbox, type PeerAuthenticationJson } from './sandbox-requests';

const paPath = '/apis/security.istio.io/v1/namespaces/ai-nutritionist/peerauthentications/default';

const api = dashboardSandbox();
type Pa = PeerAuthenticationJson;

describe('emergency PERMISSIVE with automatic revert', () => {
  it('reverts to STRICT at the deadline and records it', async () => {
    const { startEmergency } = await import('../k8s/security');
    const { reconcile } = await import('./emergency-reconciler');
    const { listAudit } = await import('../audit/audit');
    const started = await startEmergency('ai-nutritionist', { reason: 'legacy batch job cannot do mTLS', minutes: 1 }, 'admin@meshdeck.local', {});
    expect((await api<Pa>(paPath)).spec.mtls.mode).toBe('PERMISSIVE');
    expect((await api<Pa>(paPath)).metadata.annotations?.['meshdeck.io/emergency-previous-mode']).toBe('STRICT');

    await reconcile(Date.now()); // before the deadline: nothing happens
    expect((await api<Pa>(paPath)).spec.mtls.mode).toBe('PERMISSIVE');

    await expect
      .poll(
        async () => {
          await reconcile(Date.parse(started.item!.revertAt) + 1000);
          return (await api<Pa>(paPath)).spec.mtls.mode;
        },
        { timeout: 5000 },
      )
      .toBe('STRICT');
    expect(Object.keys((await api<Pa>(paPath)).metadata.annotations ?? {}).filter((k) => k.startsWith('meshdeck.io/'))).toEqual([]);
    await expect
      .poll(async () => (await listAudit({ namespace: 'ai-nutritionist', action: 'security.emergency-revert' }))[0]?.result, { timeout: 5000 })
      .toBe('applied');
  });

  it('skips the revert, and flags it, when someone changed the policy meanwhile', async () => {
    const { startEmergency } = await import('../k8s/security');
    const { reconcile } = await import('./emergency-reconciler');
    const started = await startEmergency('ai-nutritionist', { reason: 'second incident', minutes: 1 }, 'admin@meshdeck.local', {});
    await api(paPath, { method: 'PATCH', type: 'application/merge-patch+json', body: { spec: { mtls: { mode: 'DISABLE' } } } });
    await expect
      .poll(
        async () => {
          await reconcile(Date.parse(started.item!.revertAt) + 1000);
          return (await api<Pa>(paPath)).metadata.annotations?.['meshdeck.io/emergency-revert-skipped'];
        },
        { timeout: 5000 },
      )
      .toMatch(/changed after the emergency began/);
    expect((await api<Pa>(paPath)).spec.mtls.mode).toBe('DISABLE'); // not forced back
  });
});
