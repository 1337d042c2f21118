// Label selectors: the one matcher for them in lib (Service selectors, subset labels, Istio
// workload selectors, Kubernetes LabelSelectors). Pure; Kubernetes' semantics
// (k8s.io/apimachinery/pkg/apis/meta/v1 LabelSelectorAsSelector).

export type Labels = Record<string, string>;

/** One `matchExpressions` entry. */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** A Kubernetes LabelSelector (Istio's WorkloadSelector is its `matchLabels` part). */
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Whether a requirement holds for `labels`. NotIn also holds when the key is absent, as in Kubernetes. */
export function requirementMatches(requirement: LabelSelectorRequirement, labels: Labels | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case 'In':
      return has && (requirement.values ?? []).includes(value!);
    case 'NotIn':
      return !has || !(requirement.values ?? []).includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/**
 * Whether `labels` satisfy every `matchLabels` pair and every expression of `selector`.
 * An empty or missing selector matches everything (a namespace-wide policy); callers for which
 * "no selector" means "nothing" (a Service without one) check that first.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: Labels | undefined): boolean {
  return (
    Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels !== undefined && Object.hasOwn(labels, key) && labels[key] === value) &&
    (selector?.matchExpressions ?? []).every((requirement) => requirementMatches(requirement, labels))
  );
}

/** A plain label map used as a selector (a Service's `spec.selector`, a subset's `labels`, `workloadSelector.labels`). */
export const labelsMatch = (selector: Labels | undefined, labels: Labels | undefined) => selectorMatches({ matchLabels: selector }, labels);

/** Whether a selector selects by anything at all. */
export const isEmptySelector = (selector: LabelSelector | undefined) =>
  Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;

/** A selector as a person reads it (`app=web, tier in (a, b), !legacy`), or `everything` when it is empty. */
export function describeSelector(selector: LabelSelector | undefined, everything: string): string {
  if (isEmptySelector(selector)) return everything;
  const expressions = (selector?.matchExpressions ?? []).map(({ key, operator, values = [] }) =>
    operator === 'Exists' ? key : operator === 'DoesNotExist' ? `!${key}` : `${key} ${operator === 'In' ? 'in' : 'notin'} (${values.join(', ')})`,
  );
  return [...Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`), ...expressions].join(', ');
}
