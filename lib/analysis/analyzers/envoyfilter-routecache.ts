// An HTTP filter added to a gateway or waypoint may clear the route cache after a route-dependent
// authorization filter has run, when some AuthorizationPolicy targets an HTTPRoute (Istio's
// envoyfilter.RouteCacheAnalyzer: IST0178). Sidecar patches (SIDECAR_INBOUND / SIDECAR_OUTBOUND)
// are not examined; one finding per EnvoyFilter, on its first such patch.
import { K } from '../kinds';
import type { Analyzer, IndexDefinition } from '../types';
import { configPatches } from './envoyfilter-spec';

interface TargetRef {
  group?: string;
  kind?: string;
}
interface PolicyTargets {
  targetRef?: TargetRef;
  targetRefs?: TargetRef[];
}

const isHttpRoute = (ref: TargetRef | undefined) => ref?.kind === 'HTTPRoute' && ref.group === 'gateway.networking.k8s.io';

/** AuthorizationPolicies that target an HTTPRoute, all under one key. */
const POLICIES_ON_HTTP_ROUTES: IndexDefinition = {
  id: 'authorizationpolicy.targets-httproute',
  kind: K.AuthorizationPolicy,
  keys: (policy) => {
    const spec = (policy.spec ?? {}) as PolicyTargets;
    return isHttpRoute(spec.targetRef) || (spec.targetRefs ?? []).some(isHttpRoute) ? ['httproute'] : [];
  },
};

const SIDECAR_CONTEXTS = new Set(['SIDECAR_INBOUND', 'SIDECAR_OUTBOUND']);

export const envoyFilterRouteCache: Analyzer = {
  id: 'envoyfilter.routecache',
  description: 'Checks for EnvoyFilters used with route-dependent authorization',
  kinds: [K.EnvoyFilter],
  codes: ['IST0178'],
  indexes: [POLICIES_ON_HTTP_ROUTES],
  check(filter, context) {
    if (!context.available(K.AuthorizationPolicy)) return;
    const index = configPatches(filter.spec).findIndex((patch) => patch.applyTo === 'HTTP_FILTER' && !SIDECAR_CONTEXTS.has(patch.match?.context ?? ''));
    if (index < 0 || context.lookup('authorizationpolicy.targets-httproute', 'httproute').length === 0) return;
    context.report(
      'IST0178',
      'Using an EnvoyFilter with route-dependent filters may cause the routing cache to be cleared after the route-dependent filter has run. This can cause a request to be routed differently than it was when the route-dependent filter was evaluated. See https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/http/http_filters.html#security-considerations.',
      { path: `spec.configPatches[${index}]` },
    );
  },
};
