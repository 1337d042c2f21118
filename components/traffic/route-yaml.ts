import { stringify } from 'yaml';
import type { RouteView } from '@/lib/mesh/traffic-split';

/** The route as it stands in the VirtualService (spec.http[i]), with the given weights. */
export function routeYaml(route: RouteView, weights: number[]): string {
  const http = {
    ...(route.name ? { name: route.name } : {}),
    ...(route.match.length ? { match: route.match } : {}),
    route: route.destinations.map((d, i) => ({ destination: { host: d.host, ...(d.subset ? { subset: d.subset } : {}) }, weight: weights[i] })),
    ...(route.timeout ? { timeout: route.timeout } : {}),
  };
  return stringify({ [`http[${route.index}]`]: http }).trimEnd();
}
