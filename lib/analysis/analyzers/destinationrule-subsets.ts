// A DestinationRule must be for a host of the mesh (IST0174), and each subset must select some pod
// (IST0173: requests routed to it fail with 503 UH). Istio's destinationrule.SubsetSelectPodAnalyzer
// (PodNotSelectedAnalyzer): the host is found as a route's destination is (Services and
// ServiceEntries with their exportTo); a subset selects by its labels merged with the
// ServiceEntry's workloadSelector, over pods of every namespace. Istio adds a node's topology
// labels to its pods; Nodes are not read here, so a subset that selects by a topology or
// hostname label is not called empty.
import { K } from '../kinds';
import { PODS_BY_LABEL, SERVICES_BY_HOST } from '../lookups';
import type { AnalysisObject, Analyzer, View } from '../types';
import { destinationService } from './virtualservice-destinationhosts';

interface DestinationRuleSpec {
  host?: string;
  subsets?: { name?: string; labels?: Record<string, string> }[];
}

/** Labels Istio copies from a pod's node onto its endpoints. */
const NODE_LABELS = new Set(['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone', 'kubernetes.io/hostname']);

/**
 * Whether any pod, in any namespace, carries all these labels. The service's own namespace is
 * asked first (where its pods almost always are), then every namespace through the index of the
 * first label; a pod found is all the check depends on, so other pods' changes do not re-run it.
 */
function anyPodWith(view: View, namespace: string | undefined, labels: Record<string, string>): boolean {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  const carries = (pod: AnalysisObject) => pairs.every(([key, value]) => pod.metadata.labels?.[key] === value);
  if (namespace !== undefined && view.findListed(K.Pod, namespace, carries)) return true;
  if (pairs.length === 0) return view.findListed(K.Pod, undefined, carries) !== undefined;
  const [key, value] = pairs[0]!;
  return view.findIndexed(PODS_BY_LABEL.id, `${key}=${value}`, carries) !== undefined;
}

export const destinationRuleSubsets: Analyzer = {
  id: 'destinationrule.subsetselectpod',
  description: 'A DestinationRule is for a host of the mesh, and each of its subsets selects some pod',
  kinds: [K.DestinationRule],
  codes: ['IST0173', 'IST0174'],
  indexes: [...SERVICES_BY_HOST, PODS_BY_LABEL],
  check(rule, context) {
    const spec = (rule.spec ?? {}) as DestinationRuleSpec;
    if (!spec.host || !context.available(K.Service) || !context.available(K.ServiceEntry)) return;
    const target = destinationService(context, rule, spec.host);
    if (!target) {
      context.report('IST0174', `The host ${spec.host} defined in the DestinationRule does not match any services in the mesh.`, { path: 'spec.host' });
      return;
    }
    if (!context.available(K.Pod)) return;
    const workloadLabels =
      target.kind === 'ServiceEntry'
        ? ((target.spec as { workloadSelector?: { labels?: Record<string, string> } } | undefined)?.workloadSelector?.labels ?? {})
        : {};
    (spec.subsets ?? []).forEach((subset, i) => {
      const labels = { ...workloadLabels, ...subset.labels };
      if (Object.keys(labels).some((key) => NODE_LABELS.has(key)) || anyPodWith(context, target.metadata.namespace, labels)) return;
      context.report(
        'IST0173',
        `The Subset ${subset.name ?? ''} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`,
        { path: `spec.subsets[${i}]` },
      );
    });
  },
};
