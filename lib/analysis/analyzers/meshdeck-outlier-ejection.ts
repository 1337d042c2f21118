// MDK0010: outlier detection that can never take a host out of the pool.
//
// How Istio programs it (pilot networking/core cluster_traffic_policy applyOutlierDetection,
// istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection):
// - consecutive5xxErrors left out keeps Envoy's default (5, enforced); set to 0 it turns the
//   5xx detector off. consecutiveGatewayErrors is off unless set above 0, and so is
//   consecutiveLocalOriginFailures unless splitExternalLocalOriginErrors is on; Istio turns
//   the success-rate detector off. With all of them off, nothing is ever ejected.
// - maxEjectionPercent 0 or left out is Envoy's default, 10%.
// - minHealthPercent becomes Envoy's healthy_panic_threshold (0, off, when left out).
// How Envoy ejects (envoy source/common/upstream/outlier_detection_impl.cc ejectHost, since
// 1.31): a host is ejected only while 100 × (ejected + 1) / hosts ≤ maxEjectionPercent (Istio
// does not set always_eject_one_host), so the first ejection needs hosts × percent ≥ 100: 10% of
// 5 hosts ejects none. Below the panic threshold Envoy balances over every host, ejected ones
// included (arch_overview load_balancing panic_threshold), so an ejection that leaves fewer
// healthy hosts than minHealthPercent has no effect.
// Endpoints are the running pods the host's Service selects (and the subset's labels pick).
import { K } from '../kinds';
import type { AnalysisObject, Analyzer } from '../types';
import { ENDPOINT_INDEXES, endpointsForHost, plural, ruleHost, ruleSpec, type OutlierDetection, type Subset } from './meshdeck-workloads';

/** Envoy's max_ejection_percent default, which Istio keeps when the field is 0 or left out. */
const ENVOY_DEFAULT_MAX_EJECTION_PERCENT = 10;

/** Whether any of the detectors Istio programs can fire. */
function detects(od: OutlierDetection): boolean {
  return (
    od.consecutive5xxErrors !== 0 ||
    (od.consecutiveGatewayErrors ?? 0) > 0 ||
    (od.consecutiveErrors ?? 0) > 0 ||
    (od.splitExternalLocalOriginErrors === true && (od.consecutiveLocalOriginFailures ?? 0) > 0)
  );
}

/** Why this outlier detection cannot eject with `endpoints` hosts (undefined: unknown), or undefined when it can. */
export function whyNoEjection(od: OutlierDetection, endpoints: number | undefined): string | undefined {
  if (!detects(od)) return 'consecutive5xxErrors is 0 and no other error count is set, so no detector can fire';
  if (endpoints === undefined || endpoints === 0) return undefined;
  const percent = od.maxEjectionPercent && od.maxEjectionPercent > 0 ? od.maxEjectionPercent : ENVOY_DEFAULT_MAX_EJECTION_PERCENT;
  const hosts = plural(endpoints, 'endpoint');
  if (endpoints * percent < 100) {
    const given = od.maxEjectionPercent && od.maxEjectionPercent > 0 ? `maxEjectionPercent ${percent}%` : `maxEjectionPercent (default ${percent}%)`;
    return `${given} of ${hosts} is less than one host (Envoy ejects only while ejected hosts stay within the percentage), so none is ever ejected`;
  }
  const minHealth = od.minHealthPercent ?? 0;
  const healthyAfterOne = ((endpoints - 1) * 100) / endpoints;
  if (minHealth > 0 && healthyAfterOne < minHealth) {
    return `ejecting one of ${hosts} leaves ${Number(healthyAfterOne.toFixed(1))}% healthy, below minHealthPercent ${minHealth}%: Envoy then panics and sends to every endpoint, ejected ones included`;
  }
  return undefined;
}

export const meshdeckOutlierEjection: Analyzer = {
  id: 'meshdeck.outlierejection',
  description: 'Outlier detection can eject at least one host of the pool it guards',
  kinds: [K.DestinationRule],
  codes: ['MDK0010'],
  indexes: ENDPOINT_INDEXES,
  check(rule, context) {
    const spec = ruleSpec(rule);
    const host = ruleHost(rule);
    const top = spec.trafficPolicy;
    const pods = new Map<Subset | undefined, AnalysisObject[] | undefined>();
    const endpoints = (subset?: Subset) => {
      if (!host || host.startsWith('*')) return undefined;
      if (!pods.has(subset)) pods.set(subset, endpointsForHost(context, host, subset?.labels ?? {}));
      return pods.get(subset)?.length;
    };
    const check = (od: OutlierDetection | undefined, path: string, subset?: Subset, where = '') => {
      if (!od) return;
      const why = whyNoEjection(od, endpoints(subset));
      if (why) context.report('MDK0010', `Outlier detection${where} never ejects: ${why}`, { path });
    };
    check(top?.outlierDetection, 'spec.trafficPolicy.outlierDetection');
    top?.portLevelSettings?.forEach((port, p) =>
      check(port.outlierDetection, `spec.trafficPolicy.portLevelSettings[${p}].outlierDetection`, undefined, ` on port ${port.port?.number ?? '?'}`),
    );
    spec.subsets?.forEach((subset, s) => {
      const own = subset.trafficPolicy?.outlierDetection;
      const base = `spec.subsets[${s}].trafficPolicy`;
      if (own) check(own, `${base}.outlierDetection`, subset, ` of subset ${subset.name}`);
      // A subset without its own settings inherits the rule's, over its own (smaller) pool; the
      // setting that fails only there is reported once, where it is written.
      else if (top?.outlierDetection && !whyNoEjection(top.outlierDetection, endpoints()))
        check(top.outlierDetection, 'spec.trafficPolicy.outlierDetection', subset, ` for subset ${subset.name}`);
      subset.trafficPolicy?.portLevelSettings?.forEach((port, p) =>
        check(
          port.outlierDetection,
          `${base}.portLevelSettings[${p}].outlierDetection`,
          subset,
          ` of subset ${subset.name} on port ${port.port?.number ?? '?'}`,
        ),
      );
    });
  },
};
