// A route or mirror to a subset must find that subset in a DestinationRule for its host
// (Istio's virtualservice.DestinationRuleAnalyzer, IST0101).
//
// Istio's analyzer files a rule under the namespace and name its host resolves to: an
// in-cluster FQDN (`name.ns.svc.cluster.local`) counts from any namespace, but any other host
// (`api.example.com`) only when the rule sits in the VirtualService's own namespace, and
// exportTo is not read. Istio's proxies instead use every rule exported to them. Here a rule
// counts when it is visible from the VirtualService's namespace: its exportTo (or the mesh
// config's defaultDestinationRuleExportTo when it has none) is `*`, lists that namespace, or is
// `.` in that namespace. So a rule for an external host kept in the root namespace is not
// reported missing, and a rule exported only to its own namespace no longer satisfies a
// VirtualService elsewhere.
import { K } from '../kinds';
import { DESTINATION_RULES_BY_HOST, destinationRulesForHost, fqdn } from '../lookups';
import { meshConfig } from '../mesh-config';
import type { Analyzer } from '../types';
import { exportScopes, routeDestinations, visibleFrom, type VirtualServiceSpec } from './virtualservice-routes';

interface DestinationRuleSpec {
  subsets?: { name?: string }[];
  exportTo?: string[];
}

export const virtualServiceDestinationRules: Analyzer = {
  id: 'virtualservice.destinationrules',
  description: 'Every subset a route or mirror names exists in a DestinationRule for its host',
  kinds: [K.VirtualService],
  codes: ['IST0101'],
  indexes: [DESTINATION_RULES_BY_HOST],
  check(vs, context) {
    const namespace = vs.metadata.namespace;
    const destinations = routeDestinations(vs.spec as VirtualServiceSpec | undefined).filter((d) => d.destination.subset && d.destination.host);
    if (destinations.length === 0) return;
    const defaultExportTo = meshConfig(context).raw.defaultDestinationRuleExportTo;
    // The subsets each host's visible rules define, read once per host (a split names one host several times).
    const subsetsByHost = new Map<string, Set<string>>();
    const subsetsOf = (host: string) => {
      let subsets = subsetsByHost.get(host);
      if (subsets) return subsets;
      subsetsByHost.set(host, (subsets = new Set()));
      for (const rule of destinationRulesForHost(context, fqdn(host, namespace))) {
        const spec = rule.spec as DestinationRuleSpec | undefined;
        const exportTo = spec?.exportTo?.length ? spec.exportTo : Array.isArray(defaultExportTo) ? (defaultExportTo as string[]) : undefined;
        if (!visibleFrom(exportScopes(exportTo, rule.metadata.namespace), namespace)) continue;
        for (const subset of spec?.subsets ?? []) if (subset.name) subsets.add(subset.name);
      }
      return subsets;
    };
    for (const { destination, path, mirror } of destinations) {
      const defined = subsetsOf(destination.host!).has(destination.subset!);
      if (!defined) {
        context.report('IST0101', `Referenced ${mirror ? 'mirror' : 'host'}+subset in destinationrule not found: "${destination.host}+${destination.subset}"`, {
          path: `${path}.subset`,
        });
      }
    }
  },
};
