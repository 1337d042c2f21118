// A route to a subset must find that subset in a DestinationRule for its host
// (Istio's virtualservice.DestinationRuleAnalyzer, IST0101).
import { K } from '../kinds';
import { DESTINATION_RULES_BY_HOST, destinationRulesForHost, fqdn } from '../lookups';
import type { Analyzer } from '../types';
import { routeDestinations, type VirtualServiceSpec } from './virtualservice-routes';

interface DestinationRuleSpec {
  subsets?: { name?: string }[];
}

export const virtualServiceDestinationRules: Analyzer = {
  id: 'virtualservice.destinationrules',
  description: 'Every subset a route names exists in a DestinationRule for its host',
  kinds: [K.VirtualService],
  codes: ['IST0101'],
  indexes: [DESTINATION_RULES_BY_HOST],
  check(vs, context) {
    for (const { destination, path } of routeDestinations(vs.spec as VirtualServiceSpec | undefined)) {
      if (!destination.subset || !destination.host) continue;
      const host = fqdn(destination.host, vs.metadata.namespace);
      const rules = destinationRulesForHost(context, host);
      const defined = rules.some((rule) => ((rule.spec as DestinationRuleSpec | undefined)?.subsets ?? []).some((s) => s.name === destination.subset));
      if (!defined) {
        context.report('IST0101', `Referenced host+subset in destinationrule not found: "${destination.host}+${destination.subset}"`, {
          path: `${path}.subset`,
        });
      }
    }
  },
};
