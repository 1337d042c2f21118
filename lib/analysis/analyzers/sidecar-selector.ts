// Sidecars and the workloads they pick (Istio's sidecar.SelectorAnalyzer): a workloadSelector
// must match a pod of its namespace (IST0101); two Sidecars must not select one pod (IST0110);
// at most one Sidecar per namespace goes without a selector (IST0111); a Sidecar for an ambient
// workload or namespace does nothing (IST0167). Istio runs these in one analyzer; here the
// namespace-wide part is its own, so pod changes do not re-run it.
import { K } from '../kinds';
import type { AnalysisObject, Analyzer } from '../types';
import { checkNamespaceWide, checkSelectedWorkloads, type WorkloadSelection } from './sidecar-selection';

const SIDECAR: WorkloadSelection = {
  kind: K.Sidecar,
  plural: 'Sidecars',
  labels: (sidecar) => (sidecar.spec as { workloadSelector?: { labels?: Record<string, string> } } | undefined)?.workloadSelector?.labels,
  labelsPath: 'spec.workloadSelector.labels',
  conflictCode: 'IST0110',
  namespaceWideCode: 'IST0111',
  ineffectiveInAmbient: true,
};

const namespaceWide = (sidecar: AnalysisObject) => Object.keys(SIDECAR.labels(sidecar) ?? {}).length === 0;

export const sidecarSelector: Analyzer = {
  id: 'sidecar.selector',
  description: 'A Sidecar workload selector matches pods, and no pod is selected by two Sidecars',
  kinds: [K.Sidecar],
  codes: ['IST0101', 'IST0110', 'IST0167'],
  check: (sidecar, context) => checkSelectedWorkloads(sidecar, context, SIDECAR),
};

export const sidecarDefaultSelector: Analyzer = {
  id: 'sidecar.defaultselector',
  description: 'At most one Sidecar per namespace has no workload selector, and none in an ambient namespace',
  kinds: [K.Sidecar],
  codes: ['IST0111', 'IST0167'],
  check: (sidecar, context) => checkNamespaceWide(sidecar, context, SIDECAR, namespaceWide),
};
