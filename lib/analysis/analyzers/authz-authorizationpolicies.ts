// AuthorizationPolicies: a selector must pick some workload of the mesh, and a namespace a rule
// names must exist (Istio's auth.AuthorizationPoliciesAnalyzer: IST0127, IST0101).
import { labelsMatch } from '@/lib/mesh/selectors';
import { K } from '../kinds';
import { PODS_BY_LABEL, podInAmbientMode, podInMesh, selectorString } from '../lookups';
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

/** Whether some pod of any namespace is `selected`: through the index of the selector's first label, or every pod for an empty selector. */
function anywhere(view: View, matchLabels: Record<string, string> | undefined, selected: (pod: AnalysisObject) => boolean): boolean {
  const first = Object.entries(matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b))[0];
  const hit = first ? view.findIndexed(PODS_BY_LABEL.id, `${first[0]}=${first[1]}`, selected) : view.findListed(K.Pod, undefined, selected);
  return hit !== undefined;
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
      const selected = (pod: AnalysisObject) => labelsMatch(matchLabels, pod.metadata.labels) && isWorkload(context, pod);
      if (namespace === meshConfig(context).rootNamespace) {
        // Mesh-wide: a selector may pick workloads in any namespace; without one there is nothing to match.
        if (spec.selector && !anywhere(context, matchLabels, selected)) {
          context.report('IST0127', noWorkloads(selectorString(matchLabels)), { path: 'spec.selector' });
        }
      } else if (!context.findListed(K.Pod, namespace, selected)) {
        // Without a selector (or with an empty one) any workload of the namespace will do.
        context.report('IST0127', noWorkloads(spec.selector ? selectorString(matchLabels) : ''), spec.selector ? { path: 'spec.selector' } : {});
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
