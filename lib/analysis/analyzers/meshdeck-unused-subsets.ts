// MDK0004: a DestinationRule subset that no VirtualService route or mirror sends to. Routes are
// found through an index of VirtualServices by the FQDN of each destination they name, so a
// change to one VirtualService re-checks only the DestinationRules of the hosts it routes to.
// A rule for a wildcard host is skipped: the concrete hosts it covers are not known here.
import { K } from '../kinds';
import { fqdn } from '../lookups';
import type { AnalysisObject, Analyzer, IndexDefinition } from '../types';
import { ruleHost, ruleSpec } from './meshdeck-workloads';
import { routeDestinations, type VirtualServiceSpec } from './virtualservice-routes';

/** VirtualServices by the FQDN of every destination (route or mirror) they name. */
export const VIRTUAL_SERVICES_BY_DESTINATION: IndexDefinition = {
  id: 'virtualservice.destination',
  kind: K.VirtualService,
  keys: (vs) => [
    ...new Set(
      routeDestinations(vs.spec as VirtualServiceSpec | undefined)
        .map(({ destination }) => destination.host)
        .filter((host): host is string => Boolean(host))
        .map((host) => fqdn(host, vs.metadata.namespace)),
    ),
  ],
};

// Objects are replaced, never mutated, on a change: a VirtualService's subsets by host can be kept with it.
const subsetsCache = new WeakMap<AnalysisObject, Map<string, string[]>>();
/** The subsets a VirtualService sends to (routes and mirrors), by the FQDN of their host. */
function subsetsByHost(vs: AnalysisObject): Map<string, string[]> {
  let found = subsetsCache.get(vs);
  if (!found) {
    found = new Map();
    for (const { destination } of routeDestinations(vs.spec as VirtualServiceSpec | undefined)) {
      if (!destination.subset || !destination.host) continue;
      const host = fqdn(destination.host, vs.metadata.namespace);
      found.set(host, [...(found.get(host) ?? []), destination.subset]);
    }
    subsetsCache.set(vs, found);
  }
  return found;
}

export const meshdeckUnusedSubsets: Analyzer = {
  id: 'meshdeck.unusedsubsets',
  description: 'Every DestinationRule subset is used by some route',
  kinds: [K.DestinationRule],
  codes: ['MDK0004'],
  indexes: [VIRTUAL_SERVICES_BY_DESTINATION],
  check(rule, context) {
    const host = ruleHost(rule);
    const subsets = ruleSpec(rule).subsets ?? [];
    if (!host || host.startsWith('*') || subsets.length === 0) return;
    const used = new Set(context.lookup(VIRTUAL_SERVICES_BY_DESTINATION.id, host).flatMap((vs) => subsetsByHost(vs).get(host) ?? []));
    subsets.forEach((subset, s) => {
      if (!subset.name || used.has(subset.name)) return;
      context.report('MDK0004', `Subset "${subset.name}" of ${ruleSpec(rule).host} is not used by any VirtualService route`, { path: `spec.subsets[${s}]` });
    });
  },
};
