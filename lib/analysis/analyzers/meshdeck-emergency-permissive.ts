// MDK0006: an emergency PERMISSIVE is active. Meshdeck keeps the emergency's state on the
// PeerAuthentication itself (lib/mesh/emergency: annotations for the previous mode, reason, who,
// start and revert deadline); emergencyOf reads it, so this rule says exactly what the Security
// page and the automatic revert see. No clock is read: the finding stays until the revert (or a
// person) removes the annotations, and says when the revert is due.
import { K } from '../kinds';
import type { Analyzer } from '../types';
import { emergencyOf } from '@/lib/mesh/emergency';
import type { PeerAuthentication } from '@/lib/mesh/security-types';

export const meshdeckEmergencyPermissive: Analyzer = {
  id: 'meshdeck.emergencypermissive',
  description: 'No emergency PERMISSIVE override is active',
  kinds: [K.PeerAuthentication],
  codes: ['MDK0006'],
  check(policy, context) {
    const pa = policy as unknown as PeerAuthentication;
    const state = emergencyOf(pa);
    // Annotations left on a policy someone already set back to another mode are no active emergency.
    if (!state || pa.spec?.mtls?.mode !== 'PERMISSIVE') return;
    const by = [state.by && `by ${state.by}`, state.startedAt && `since ${state.startedAt}`].filter(Boolean).join(' ');
    const revert = state.skipped
      ? `the automatic revert was skipped (${state.skipped}): restore ${state.previousMode} by hand`
      : state.changedSince
        ? `the policy was changed after the emergency began, so the automatic revert at ${state.revertAt} will be skipped: restore ${state.previousMode} by hand`
        : `Meshdeck restores ${state.previousMode} at ${state.revertAt}`;
    context.report(
      'MDK0006',
      `Emergency PERMISSIVE is active on ${state.namespace}/${state.name}${by ? ` ${by}` : ''}${state.reason ? ` ("${state.reason}")` : ''}: plaintext is accepted where mTLS was ${state.previousMode}; ${revert}`,
      { path: 'spec.mtls.mode' },
    );
  },
};
