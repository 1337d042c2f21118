// Adding a destination to a route (where every canary starts) and removing one that takes no
// traffic, checked as Istio checks a route: several destinations' weights sum to 100; a lone
// destination may leave its weight out.
import { shortHost } from './hosts';
import type { HTTPRoute, HTTPRouteDestination } from './types';
import { effectiveWeights } from './weights';

export interface DestinationInput {
  host: string;
  subset?: string;
  weight: number;
}

const label = (d: { host: string; subset?: string }) => `${shortHost(d.host)}${d.subset ? ` ${d.subset}` : ''}`;
const same = (a: { host: string; subset?: string }, b: { host: string; subset?: string }) => a.host === b.host && (a.subset ?? '') === (b.subset ?? '');

export type DestinationPlan = { entries: HTTPRouteDestination[]; problems: [] } | { entries?: undefined; problems: string[] };

/**
 * The route's new destination list: destinations it keeps keep their other fields (port,
 * headers) with the new weight; new ones take the port of a kept destination of the same host.
 * `knownSubsets(host)` gives the DestinationRule's subsets of a host (undefined: no rule).
 */
export function planDestinations(route: HTTPRoute, requested: DestinationInput[], knownSubsets: (host: string) => string[] | undefined): DestinationPlan {
  const current = route.route ?? [];
  const weights = effectiveWeights(current.map((e) => e.weight));
  const problems: string[] = [];
  if (requested.length === 0) problems.push('A route needs at least one destination.');
  requested.forEach((d, i) => {
    if (requested.findIndex((o) => same(o, d)) !== i) problems.push(`${label(d)} is listed twice.`);
  });
  current.forEach((entry, i) => {
    if (!requested.some((d) => same(d, entry.destination)) && weights[i]! > 0) {
      problems.push(
        `${label(entry.destination)} cannot be removed: it takes ${weights[i]}% of this route's traffic. Move its weight to the other destinations and apply that first.`,
      );
    }
  });
  for (const d of requested.filter((r) => !current.some((e) => same(e.destination, r)))) {
    if (!d.subset) continue;
    const subsets = knownSubsets(d.host);
    if (!subsets) problems.push(`No DestinationRule defines subsets for ${shortHost(d.host)}: subset "${d.subset}" would get no traffic (503 NR).`);
    else if (!subsets.includes(d.subset))
      problems.push(`Subset "${d.subset}" is not in the DestinationRule for ${shortHost(d.host)} (it has ${subsets.join(', ') || 'no subsets'}).`);
  }
  const total = requested.reduce((sum, d) => sum + d.weight, 0);
  if (requested.length > 1 && total !== 100) problems.push(`The weights of a route with several destinations must add up to 100 (they add up to ${total}).`);
  if (requested.length === 1 && requested[0]!.weight !== 100)
    problems.push(`A route's only destination takes all its traffic: its weight is 100, not ${requested[0]!.weight}.`);
  if (problems.length) return { problems };

  const entries = requested.map((d): HTTPRouteDestination => {
    const kept = current.find((e) => same(e.destination, d));
    // One destination may leave its weight out, as Istio's own examples do; keep it as it was written.
    const weight = requested.length === 1 && (!kept || kept.weight === undefined) ? undefined : d.weight;
    if (kept) {
      const { weight: _old, ...rest } = kept;
      return weight === undefined ? rest : { ...rest, weight };
    }
    const port = current.find((e) => e.destination.host === d.host && e.destination.port)?.destination.port;
    return { destination: { host: d.host, ...(d.subset ? { subset: d.subset } : {}), ...(port ? { port } : {}) }, ...(weight === undefined ? {} : { weight }) };
  });
  return { entries, problems: [] };
}
