// How Istio checks resources that pick workloads by labels in their own namespace (Sidecar,
// Telemetry): a selector must match some pod, two resources must not select one pod, and at most
// one per namespace may go without a selector. Shared by the sidecar and telemetry analyzers.
import { labelsMatch } from '@/lib/mesh/selectors';
import { K } from '../kinds';
import { namespaceInAmbientMode, podInAmbientMode, selectorString } from '../lookups';
import type { AnalysisObject, CheckContext, Kind } from '../types';

export interface WorkloadSelection {
  kind: Kind;
  /** The plural Istio's messages use ("Sidecars"). */
  plural: string;
  /** The labels the resource selects by; undefined or empty is namespace-wide. */
  labels(object: AnalysisObject): Record<string, string> | undefined;
  /** Where those labels are written. */
  labelsPath: string;
  /** Code for two resources selecting one pod, and for several namespace-wide ones. */
  conflictCode: string;
  namespaceWideCode: string;
  /** Whether the resource does nothing for ambient workloads (IST0167), as a Sidecar. */
  ineffectiveInAmbient: boolean;
}

const hasLabels = (labels: Record<string, string> | undefined): labels is Record<string, string> => Object.keys(labels ?? {}).length > 0;
/** Names as Go prints a []string with %v. */
const nameList = (objects: readonly AnalysisObject[]) => `[${objects.map((o) => o.metadata.name).join(' ')}]`;

/** A resource with a selector: it matches some pod of its namespace (IST0101), alone (conflict code). */
export function checkSelectedWorkloads(object: AnalysisObject, context: CheckContext, selection: WorkloadSelection): void {
  const labels = selection.labels(object);
  if (!hasLabels(labels) || !context.available(K.Pod)) return;
  const namespace = object.metadata.namespace ?? '';
  const pods = context.list(K.Pod, namespace).filter((pod) => labelsMatch(labels, pod.metadata.labels));
  if (pods.length === 0) {
    context.report('IST0101', `Referenced selector not found: ${JSON.stringify(selectorString(labels))}`, { path: selection.labelsPath });
    return;
  }
  const selecting = context.list(selection.kind, namespace).filter((other) => hasLabels(selection.labels(other)));
  if (selection.ineffectiveInAmbient && pods.some(podInAmbientMode)) {
    context.report('IST0167', 'The policy has no impact: selected workload is in ambient mode, the policy has no impact.', { path: selection.labelsPath });
  }
  for (const pod of pods) {
    // An ambient pod has no sidecar: two Sidecars selecting it conflict over nothing.
    if (selection.ineffectiveInAmbient && podInAmbientMode(pod)) continue;
    const sharing = selecting.filter((other) => labelsMatch(selection.labels(other), pod.metadata.labels));
    if (sharing.length < 2) continue;
    context.report(
      selection.conflictCode,
      `The ${selection.plural} ${nameList(sharing)} in namespace ${JSON.stringify(namespace)} select the same workload pod ${JSON.stringify(pod.metadata.name)}, which can lead to undefined behavior.`,
      { path: 'metadata.name' },
    );
  }
}

/** A namespace-wide resource: the only one of its namespace, and (for a Sidecar) not in an ambient namespace. */
export function checkNamespaceWide(
  object: AnalysisObject,
  context: CheckContext,
  selection: WorkloadSelection,
  isNamespaceWide: (object: AnalysisObject) => boolean,
): void {
  if (!isNamespaceWide(object)) return;
  const namespace = object.metadata.namespace ?? '';
  if (selection.ineffectiveInAmbient && namespaceInAmbientMode(context.get(K.Namespace, undefined, namespace))) {
    context.report('IST0167', 'The policy has no impact: namespace is in ambient mode, the policy has no impact.');
    return;
  }
  const namespaceWide = context.list(selection.kind, namespace).filter(isNamespaceWide);
  if (namespaceWide.length < 2) return;
  context.report(
    selection.namespaceWideCode,
    `The ${selection.plural} ${nameList(namespaceWide)} in namespace ${JSON.stringify(namespace)} have no workload selector, which can lead to undefined behavior.`,
  );
}
