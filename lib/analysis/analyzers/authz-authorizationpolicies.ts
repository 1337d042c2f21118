// AuthorizationPolicies: a selector must pick some workload of the mesh, and a namespace a rule
// names must exist (Istio's auth.AuthorizationPoliciesAnalyzer: IST0127, IST0101).
import { labelsMatch } from '@/lib/mesh/selectors';
import { K } from '../kinds';
import { PODS_BY_LABEL, podInAmbientMode, podInMesh, podsSelectedAnywhere, selectorString } from '../lookups';
import { meshConfig } from '../mesh-config';
import type { AnalysisObject, Analyzer, View } from '../types';

interface Source {
  namespaces?: string[];
  notNamespaces?: string[];
}
interface AuthorizationPolicySpec {
  selector?: { matchLabels?: Record<string, string> };
  rules?: { from?: { source?: Source }[] }[];
}

/** Istio counts a pod as a workload when it has a sidecar (or will get one) or runs in ambient mode. */
const isWorkload = (view: View, pod: AnalysisObject) => podInMesh(view, pod) || podInAmbientMode(pod);

/** A namespace pattern as Istio matches it: `*`, `*suffix`, `prefix*`, or the name (case-insensitive). */
function namespaceMatches(name: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return name.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  return name.toLowerCase() === pattern.toLowerCase();
}

const noWorkloads = (labels: string) => `No matching workloads for this resource with the following labels: ${labels}`;

export const authzAuthorizationPolicies: Analyzer = {
  id: 'authz.authorizationpolicies',
  description: 'An AuthorizationPolicy selects some workload, and the namespaces its rules name exist',
  kinds: [K.AuthorizationPolicy],
  codes: ['IST0101', 'IST0127'],
  indexes: [PODS_BY_LABEL],
  check(policy, context) {
    const spec = (policy.spec ?? {}) as AuthorizationPolicySpec;
    const namespace = policy.metadata.namespace ?? '';

    if (context.available(K.Pod)) {
      const matchLabels = spec.selector?.matchLabels;
      if (namespace === meshConfig(context).rootNamespace) {
        // Mesh-wide: a selector may pick workloads in any namespace; without one there is nothing to match.
        if (spec.selector && !podsSelectedAnywhere(context, matchLabels).some((pod) => isWorkload(context, pod))) {
          context.report('IST0127', noWorkloads(selectorString(matchLabels)), { path: 'spec.selector' });
        }
      } else if (!spec.selector) {
        if (!context.list(K.Pod, namespace).some((pod) => isWorkload(context, pod))) context.report('IST0127', noWorkloads(''));
      } else if (!context.list(K.Pod, namespace).some((pod) => labelsMatch(matchLabels, pod.metadata.labels) && isWorkload(context, pod))) {
        context.report('IST0127', noWorkloads(selectorString(matchLabels)), { path: 'spec.selector' });
      }
    }

    if (!context.available(K.Namespace)) return;
    const namespaces = context.list(K.Namespace).map((ns) => ns.metadata.name);
    (spec.rules ?? []).forEach((rule, i) =>
      (rule.from ?? []).forEach((from, j) => {
        for (const field of ['namespaces', 'notNamespaces'] as const) {
          (from.source?.[field] ?? []).forEach((pattern, k) => {
            if (namespaces.some((name) => namespaceMatches(name, pattern))) return;
            context.report('IST0101', `Referenced namespace not found: ${JSON.stringify(pattern)}`, {
              path: `spec.rules[${i}].from[${j}].source.${field}[${k}]`,
            });
          });
        }
      }),
    );
  },
};
