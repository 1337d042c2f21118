// Where a rollout's gates read their numbers: each destination of the plan as Istio's metrics
// label it. The service is the host's short name and namespace (as lib/mesh/hosts reads hosts);
// the version is the value of the version label its DestinationRule subset selects, which
// Istio's destination_version carries (lib/metrics/rollout.ts VERSION_LABEL says why that one).
// Pure: the controller passes the DestinationRules of its watch cache.
import { serviceKey, shortHost } from '@/lib/mesh/hosts';
import type { DestinationRef, RolloutPlan } from '@/lib/mesh/rollout';
import type { DestinationRule, Subset } from '@/lib/mesh/types';
import type { MetricTarget, RolloutTargets } from '@/lib/metrics/rollout';

/** Subset labels that name a version, in the order they are read. */
export const VERSION_LABELS = ['version', 'app.kubernetes.io/version', 'service.istio.io/canonical-revision'] as const;

/** The version a subset selects, if it selects one by a version label. */
export const subsetVersionLabel = (subset: Subset) => VERSION_LABELS.map((label) => subset.labels?.[label]).find((v) => v !== undefined);

type Resolved<T> = T | { problem: string };

/** The DestinationRules of each service (its key, lib/mesh/hosts serviceKey), with the namespace each lives in. */
function rulesByService(rules: Iterable<DestinationRule>): Map<string, DestinationRule[]> {
  const index = new Map<string, DestinationRule[]>();
  for (const rule of rules) {
    const key = serviceKey(rule.spec.host, rule.metadata.namespace);
    index.set(key, [...(index.get(key) ?? []), rule]);
  }
  return index;
}

/**
 * Resolves plans against one moment's DestinationRules (index built once per tick). A subset is
 * looked up as Istio does: the rule in the route's namespace first, then in the service's, then any.
 */
export function targetResolver(rules: Iterable<DestinationRule>) {
  const index = rulesByService(rules);

  function resolve(ref: DestinationRef, routeNamespace: string): Resolved<MetricTarget> {
    const key = serviceKey(ref.host, routeNamespace);
    const parts = key.split('.');
    if (parts.length !== 2) return { problem: `${ref.host} is not a service of the cluster: Istio's metrics name no service and version for it` };
    const [service, namespace] = parts as [string, string];
    if (!ref.subset) return { namespace, service };
    const rank = (rule: DestinationRule) => (rule.metadata.namespace === routeNamespace ? 0 : rule.metadata.namespace === namespace ? 1 : 2);
    const subset = [...(index.get(key) ?? [])]
      .sort((a, b) => rank(a) - rank(b))
      .flatMap((rule) => rule.spec.subsets ?? [])
      .find((s) => s.name === ref.subset);
    if (!subset) return { problem: `no DestinationRule of ${shortHost(ref.host)} defines the subset ${ref.subset}` };
    const version = subsetVersionLabel(subset);
    if (version === undefined)
      return {
        problem: `the subset ${ref.subset} of ${shortHost(ref.host)} selects no version label (${VERSION_LABELS.join(', ')}): Istio's metrics cannot tell its requests from the other subsets'`,
      };
    return { namespace, service, version };
  }

  /** A plan's stable and candidate as metric targets, or why they cannot be measured. */
  return (plan: Pick<RolloutPlan, 'stable' | 'candidate'>, routeNamespace: string): Resolved<RolloutTargets> => {
    const stable = resolve(plan.stable, routeNamespace);
    if ('problem' in stable) return { problem: `stable: ${stable.problem}` };
    const candidate = resolve(plan.candidate, routeNamespace);
    if ('problem' in candidate) return { problem: `candidate: ${candidate.problem}` };
    if (candidate.namespace === stable.namespace && candidate.service === stable.service && candidate.version === stable.version)
      return {
        problem: `the stable and the candidate select the same ${candidate.version === undefined ? 'service' : `version (${candidate.version})`}: Istio's metrics cannot tell them apart`,
      };
    return { stable, candidate };
  };
}
