import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { meshdeckEmergencyPermissive } from './meshdeck-emergency-permissive';
import { ANNOTATIONS, startPatch } from '@/lib/mesh/emergency';
import type { PeerAuthentication } from '@/lib/mesh/security-types';

// The annotations exactly as Meshdeck's emergency form writes them (startPatch), on a policy of another mesh.
function emergency(generation: number, extra: Record<string, string> = {}) {
  const pa = obj(
    'PeerAuthentication',
    'vault/default',
    { mtls: { mode: 'STRICT' } },
    { apiVersion: 'security.istio.io/v1beta1', metadata: { generation: 4, resourceVersion: '9' } },
  );
  const ops = startPatch(pa as unknown as PeerAuthentication, { reason: 'HSM migration', by: 'ops@vault', now: new Date('2026-11-26T05:00:00Z'), minutes: 90 });
  const annotations = ops.find((op) => op.path === '/metadata/annotations')!.value as Record<string, string>;
  return obj('PeerAuthentication', 'vault/default', { mtls: { mode: 'PERMISSIVE' } }, { metadata: { generation, annotations: { ...annotations, ...extra } } });
}

describe('meshdeck.emergencypermissive (MDK0006)', () => {
  it('reports an active emergency with who, why and when it reverts', () => {
    const findings = findingsOf(meshdeckEmergencyPermissive, [emergency(5)]);
    expect(summarize(findings)).toEqual(['MDK0006 PeerAuthentication vault/default spec.mtls.mode']);
    expect(findings[0]!.message).toBe(
      'Emergency PERMISSIVE is active on vault/default by ops@vault since 2026-11-26T05:00:00.000Z ("HSM migration"): plaintext is accepted where mTLS was STRICT; Meshdeck restores STRICT at 2026-11-26T06:30:00.000Z',
    );
  });

  it('says when the automatic revert will not happen', () => {
    expect(findingsOf(meshdeckEmergencyPermissive, [emergency(6)])[0]!.message).toContain('was changed after the emergency began');
    expect(findingsOf(meshdeckEmergencyPermissive, [emergency(5, { [ANNOTATIONS.skipped]: 'policy changed' })])[0]!.message).toContain(
      'the automatic revert was skipped (policy changed): restore STRICT by hand',
    );
  });

  it('is silent on a PERMISSIVE policy nobody marked as an emergency, and once the mode is back', () => {
    expect(findingsOf(meshdeckEmergencyPermissive, [obj('PeerAuthentication', 'vault/default', { mtls: { mode: 'PERMISSIVE' } })])).toEqual([]);
    const restored = emergency(6);
    restored.spec = { mtls: { mode: 'STRICT' } };
    expect(findingsOf(meshdeckEmergencyPermissive, [restored])).toEqual([]);
  });
});
