// Telemetries and the workloads they pick (Istio's telemetry.SelectorAnalyzer and
// DefaultSelectorAnalyzer): a selector must match a pod of its namespace (IST0101), two
// Telemetries must not select one pod (IST0159), at most one per namespace goes without a
// selector (IST0160). A Telemetry that targets by targetRef(s) is not counted as selector-less.
import { K } from '../kinds';
import type { AnalysisObject, Analyzer } from '../types';
import { checkNamespaceWide, checkSelectedWorkloads, type WorkloadSelection } from './sidecar-selection';

interface TelemetrySpec {
  selector?: { matchLabels?: Record<string, string> };
  targetRef?: unknown;
  targetRefs?: unknown[];
}

const TELEMETRY: WorkloadSelection = {
  kind: K.Telemetry,
  plural: 'Telemetries',
  labels: (telemetry) => (telemetry.spec as TelemetrySpec | undefined)?.selector?.matchLabels,
  labelsPath: 'spec.selector.matchLabels',
  conflictCode: 'IST0159',
  namespaceWideCode: 'IST0160',
  ineffectiveInAmbient: false,
};

function selectorless(telemetry: AnalysisObject): boolean {
  const spec = (telemetry.spec ?? {}) as TelemetrySpec;
  return !spec.selector && !spec.targetRef && !spec.targetRefs?.length;
}

export const telemetrySelector: Analyzer = {
  id: 'telemetry.selector',
  description: 'A Telemetry selector matches pods, and no pod is selected by two Telemetries',
  kinds: [K.Telemetry],
  codes: ['IST0101', 'IST0159'],
  check: (telemetry, context) => checkSelectedWorkloads(telemetry, context, TELEMETRY),
};

export const telemetryDefaultSelector: Analyzer = {
  id: 'telemetry.defaultselector',
  description: 'At most one Telemetry per namespace has no selector',
  kinds: [K.Telemetry],
  codes: ['IST0160'],
  check: (telemetry, context) => checkNamespaceWide(telemetry, context, TELEMETRY, selectorless),
};
