// A controller wrote a condition that says something is wrong: a Service or ServiceEntry not bound
// to its waypoint, an AuthorizationPolicy ztunnel or the waypoint rejected, a Gateway API Gateway
// or route not accepted (Istio's conditions.ConditionAnalyzer, IST0171). WorkloadEntry is checked
// as istio.io documents for IST0171.
import { K, kindOf } from '../kinds';
import type { Analyzer } from '../types';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}
interface Status {
  conditions?: Condition[];
  parents?: { conditions?: Condition[] }[];
}

const WAYPOINT_BOUND = { 'istio.io/WaypointBound': 'False' };
const GATEWAY_API = { Accepted: 'False', Programmed: 'False', ResolvedRefs: 'False' };

/** Per kind, the condition types to report and the status that makes them negative. */
const NEGATIVE: Record<string, Record<string, string>> = {
  [K.Service]: WAYPOINT_BOUND,
  [K.ServiceEntry]: WAYPOINT_BOUND,
  [K.WorkloadEntry]: WAYPOINT_BOUND,
  [K.AuthorizationPolicy]: { ZtunnelAccepted: 'False', WaypointAccepted: 'False' },
  [K.KubernetesGateway]: GATEWAY_API,
  [K.HTTPRoute]: GATEWAY_API,
  [K.GRPCRoute]: GATEWAY_API,
};

/** Routes keep their conditions per parent Gateway; everything else at `status.conditions`. */
function conditionsOf(status: Status | undefined, isRoute: boolean): { condition: Condition; path: string }[] {
  if (isRoute) {
    return (status?.parents ?? []).flatMap((parent, i) =>
      (parent.conditions ?? []).map((condition, j) => ({ condition, path: `status.parents[${i}].conditions[${j}]` })),
    );
  }
  return (status?.conditions ?? []).map((condition, i) => ({ condition, path: `status.conditions[${i}]` }));
}

export const conditionsNegative: Analyzer = {
  id: 'conditions.condition',
  description: 'No resource carries a status condition that reports a problem',
  kinds: Object.keys(NEGATIVE),
  codes: ['IST0171'],
  check(object, context) {
    const kind = kindOf(object);
    const negative = NEGATIVE[kind]!;
    for (const { condition, path } of conditionsOf(object.status as Status | undefined, kind === K.HTTPRoute || kind === K.GRPCRoute)) {
      const type = condition.type ?? '';
      // A waypoint that accepted only part of a policy says so with status True.
      const partiallyInvalid = kind === K.AuthorizationPolicy && type === 'WaypointAccepted' && condition.reason === 'PartiallyInvalid';
      if (negative[type] !== condition.status && !partiallyInvalid) continue;
      context.report(
        'IST0171',
        `A condition with a negative status is present: type=${type}, reason=${condition.reason ?? ''}, message=${condition.message ?? ''}.`,
        { path },
      );
    }
  },
};
