// MDK0008: a RequestAuthentication with no AuthorizationPolicy that requires a token. A
// RequestAuthentication only rejects invalid tokens; a request with no token at all passes
// unless a policy asks for one (Istio's "require JWT" pattern): an ALLOW rule naming
// `requestPrincipals` (or a `request.auth.*` condition), or a DENY rule with
// `notRequestPrincipals: ["*"]`.
//
// A policy covers the RequestAuthentication's workloads when it is in the same namespace and
// has no selector or a selector whose labels the RequestAuthentication's selector includes, when
// it is mesh-wide (root namespace, no selector), or when each running pod the
// RequestAuthentication selects is selected by such a policy. Generous on purpose: whether
// other ALLOW policies also let token-less requests through is not judged. A mesh-wide
// RequestAuthentication is reported only when no policy anywhere requires a token.
import { K } from '../kinds';
import { selectorString } from '../lookups';
import { meshConfig } from '../mesh-config';
import type { AnalysisObject, Analyzer } from '../types';
import { isRunning } from './meshdeck-workloads';
import { labelsMatch } from '@/lib/mesh/selectors';
import type { AuthorizationPolicy, RequestAuthentication } from '@/lib/mesh/security-types';

/** Whether a policy makes a request without a valid token fail (for the requests its rules cover). */
export function requiresToken(policy: AnalysisObject): boolean {
  const spec = (policy as unknown as AuthorizationPolicy).spec ?? {};
  const rules = spec.rules ?? [];
  const sources = (rule: (typeof rules)[number]) => (rule.from ?? []).map((f) => f.source ?? {});
  switch (spec.action ?? 'ALLOW') {
    case 'ALLOW':
      return rules.some(
        (rule) => sources(rule).some((s) => (s.requestPrincipals ?? []).length > 0) || (rule.when ?? []).some((w) => w.key.startsWith('request.auth.')),
      );
    case 'DENY':
      return rules.some((rule) => sources(rule).some((s) => (s.notRequestPrincipals ?? []).includes('*')));
    default:
      return false;
  }
}

/** Workloads as a person names them: their app label (or pod name), a few of them. */
function workloadNames(pods: AnalysisObject[]): string {
  const names = [...new Set(pods.map((pod) => pod.metadata.labels?.app ?? pod.metadata.labels?.['app.kubernetes.io/name'] ?? pod.metadata.name))].sort();
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

const selectorOf = (object: AnalysisObject) => (object.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
const hasSelector = (object: AnalysisObject) => Object.keys(selectorOf(object) ?? {}).length > 0;

export const meshdeckTokenRequired: Analyzer = {
  id: 'meshdeck.tokenrequired',
  description: 'Workloads that validate tokens also require one',
  kinds: [K.RequestAuthentication],
  codes: ['MDK0008'],
  check(authn, context) {
    if (((authn as unknown as RequestAuthentication).spec?.jwtRules ?? []).length === 0 || !context.available(K.AuthorizationPolicy)) return;
    const namespace = authn.metadata.namespace!;
    const root = meshConfig(context).rootNamespace;
    const meshWide = context.list(K.AuthorizationPolicy, root).filter((p) => !hasSelector(p) && requiresToken(p));
    if (meshWide.length > 0) return;
    let scope: string;
    let uncovered: AnalysisObject[] = [];
    if (namespace === root && !hasSelector(authn)) {
      if (context.list(K.AuthorizationPolicy).some(requiresToken)) return;
      scope = 'every workload of the mesh';
    } else {
      const local = context.list(K.AuthorizationPolicy, namespace).filter(requiresToken);
      const labels = selectorOf(authn);
      // A policy selecting by labels the RequestAuthentication's selector includes covers all it selects.
      if (local.some((p) => !hasSelector(p) || (labels && labelsMatch(selectorOf(p), labels)))) return;
      const pods = context.list(K.Pod, namespace).filter((pod) => isRunning(pod) && (!labels || labelsMatch(labels, pod.metadata.labels)));
      uncovered = pods.filter((pod) => !local.some((p) => labelsMatch(selectorOf(p), pod.metadata.labels)));
      if (pods.length > 0 && uncovered.length === 0) return;
      scope = labels ? `workloads ${selectorString(labels)} in ${namespace}` : `every workload in ${namespace}`;
    }
    context.report(
      'MDK0008',
      `Tokens are validated for ${scope}, but no AuthorizationPolicy requires one${uncovered.length ? ` for ${workloadNames(uncovered)}` : ''} (requestPrincipals in an ALLOW rule, or notRequestPrincipals: ["*"] in a DENY rule): requests without a token are let through`,
      { path: 'spec.jwtRules' },
    );
  },
};
