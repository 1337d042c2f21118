// istiod fetches every RequestAuthentication's jwksUri itself: without BLOCKED_CIDRS_IN_JWKS_URIS
// anyone who may write one can make istiod call internal addresses (Istio's
// authn.BlockedCIDRsAnalyzer, IST0175, reported on the istiod Deployment).
import { K } from '../kinds';
import type { Analyzer } from '../types';

interface DeploymentSpec {
  template?: { spec?: { containers?: { env?: { name?: string; value?: string }[] }[] } };
}

/** Istio lists at most five names, then how many more. */
const MAX_NAMES = 5;

export const authnBlockedCidrs: Analyzer = {
  id: 'authn.blockedcidrs',
  description: 'istiod restricts where it fetches JWKS from when RequestAuthentications exist',
  kinds: [K.Deployment],
  codes: ['IST0175'],
  check(deployment, context) {
    if (deployment.metadata.labels?.app !== 'istiod') return;
    const containers = (deployment.spec as DeploymentSpec | undefined)?.template?.spec?.containers ?? [];
    if (containers.some((c) => (c.env ?? []).some((e) => e.name === 'BLOCKED_CIDRS_IN_JWKS_URIS' && e.value))) return;
    // RequestAuthentications are few: reading them all re-runs only this one check per change.
    const names = context.list(K.RequestAuthentication).map((ra) => `${ra.metadata.namespace}/${ra.metadata.name}`);
    if (names.length === 0) return;
    const shown = names.length <= MAX_NAMES ? names.join(', ') : `${names.slice(0, MAX_NAMES).join(', ')}, and ${names.length - MAX_NAMES} more`;
    context.report(
      'IST0175',
      `BLOCKED_CIDRS_IN_JWKS_URIS is not configured but ${names.length} RequestAuthentication resource(s) exist (${shown}). Consider configuring it to restrict JWKS URI fetches to trusted networks.`,
      { path: 'spec.template.spec.containers' },
    );
  },
};
