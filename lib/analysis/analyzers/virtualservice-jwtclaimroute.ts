// Routing on JWT claims (`@request.auth.claims.*` header matches) only works where a
// RequestAuthentication validates the token first: on a gateway's pods (Istio's
// virtualservice.JWTClaimRouteAnalyzer, IST0149).
//
// As Istio: the first claim key of the VirtualService's HTTP matches (headers or
// withoutHeaders) is named; for each gateway it binds to that exists (a missing one is
// virtualservice.gateways' finding), every pod its selector picks in the cluster needs a
// RequestAuthentication in the pod's namespace or the root namespace whose selector matches
// the pod (no selector matches all). Istio reads the namespace istio-system; here it is the
// mesh config's root namespace, istio-system by default.
import { labelsMatch } from '@/lib/mesh/selectors';
import { K } from '../kinds';
import { PODS_BY_LABEL, podsSelectedAnywhere } from '../lookups';
import { meshConfig } from '../mesh-config';
import type { AnalysisObject, Analyzer } from '../types';
import { gatewayRefs, type HttpMatch, type VirtualServiceSpec } from './virtualservice-routes';

/** Istio's constant.HeaderJWTClaim. */
export const JWT_CLAIM_HEADER = '@request.auth.claims';

/** The first header key that routes on a JWT claim, or undefined. */
export function jwtClaimRouteKey(spec: VirtualServiceSpec | undefined): string | undefined {
  for (const route of spec?.http ?? []) {
    for (const match of (route.match as HttpMatch[] | undefined) ?? []) {
      const key = [...Object.keys(match?.headers ?? {}), ...Object.keys(match?.withoutHeaders ?? {})].find((k) => k.startsWith(JWT_CLAIM_HEADER));
      if (key) return key;
    }
  }
  return undefined;
}

interface RequestAuthenticationSpec {
  selector?: { matchLabels?: Record<string, string> };
}
/** Whether a RequestAuthentication's selector (matchLabels; none selects all) picks a pod. */
const selects = (policy: AnalysisObject, pod: AnalysisObject) =>
  labelsMatch((policy.spec as RequestAuthenticationSpec | undefined)?.selector?.matchLabels ?? {}, pod.metadata.labels);

export const virtualServiceJwtClaimRoute: Analyzer = {
  id: 'virtualservice.jwtclaimroute',
  description: 'A VirtualService routing on JWT claims has a RequestAuthentication on its gateway pods',
  kinds: [K.VirtualService],
  codes: ['IST0149'],
  indexes: [PODS_BY_LABEL],
  check(vs, context) {
    const spec = vs.spec as VirtualServiceSpec | undefined;
    const key = jwtClaimRouteKey(spec);
    if (!key) return;
    const rootNamespace = meshConfig(context).rootNamespace;
    for (const ref of gatewayRefs(spec, vs.metadata.namespace)) {
      const gateway = context.get(K.Gateway, ref.namespace, ref.name);
      if (!gateway) continue;
      const selector = (gateway.spec as { selector?: Record<string, string> } | undefined)?.selector;
      for (const pod of podsSelectedAnywhere(context, selector)) {
        const podNamespace = pod.metadata.namespace ?? 'default';
        const policies = [
          ...context.list(K.RequestAuthentication, rootNamespace),
          ...(podNamespace === rootNamespace ? [] : context.list(K.RequestAuthentication, podNamespace)),
        ];
        if (policies.some((policy) => selects(policy, pod))) continue;
        context.report(
          'IST0149',
          `The virtual service uses the JWT claim based routing (key: ${key}) but found no request authentication for the gateway (${ref.namespace}/${ref.name}) pod (${pod.metadata.name}). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing.`,
          { path: ref.path },
        );
      }
    }
  },
};
