import { stringify } from 'yaml';
import type { RouteView } from '@/lib/mesh/traffic-split';

/** The route as it stands in the VirtualService (spec.http[i]), with the given destinations and weights. */
export function routeYaml(route: RouteView, destinations: { host: string; subset?: string; weight: number }[]): string {
  const http = {
    ...(route.name ? { name: route.name } : {}),
    ...(route.match.length ? { match: route.match } : {}),
    route: destinations.map((d) => ({ destination: { host: d.host, ...(d.subset ? { subset: d.subset } : {}) }, weight: d.weight })),
    ...(route.timeout ? { timeout: route.timeout } : {}),
  };
  return stringify({ [`http[${route.index}]`]: http }).trimEnd();
}
