// MDK0002: the weights of a route's destinations that do not add up to 100.
//
// Istio reads weights as relative: each destination gets weight / (sum of weights) of the
// traffic, so 80 + 10 sends 88.9% and 11.1%, not 80% and 10% with the rest dropped. A lone
// destination takes all traffic whatever its weight says, so it is never reported; among several,
// a destination without a weight counts as 0 (lib/mesh/weights effectiveWeights).
import { K } from '../kinds';
import type { Analyzer } from '../types';
import { splitRoutes } from './meshdeck-workloads';
import type { VirtualServiceSpec } from './virtualservice-routes';

const percent = (share: number) => `${Number((share * 100).toFixed(1))}%`;

export const meshdeckRouteWeights: Analyzer = {
  id: 'meshdeck.routeweights',
  description: 'The weights of a route with several destinations add up to 100',
  kinds: [K.VirtualService],
  codes: ['MDK0002'],
  check(vs, context) {
    for (const { protocol, label, path, targets, weights } of splitRoutes(vs.spec as VirtualServiceSpec | undefined)) {
      const total = weights.reduce((a, b) => a + b, 0);
      if (total === 100) continue;
      const hosts = targets.map((t) => [t.destination?.host, t.destination?.subset].filter(Boolean).join('/') || '?');
      const shares =
        total === 0
          ? 'no destination has a weight, so Istio refuses the route'
          : `Istio sends each destination its weight / ${total}: ${hosts.map((h, i) => `${h} ${percent(weights[i]! / total)}`).join(', ')}`;
      context.report('MDK0002', `The weights of ${protocol} route ${label} add up to ${total}, not 100: ${shares}`, { path: `${path}.route` });
    }
  },
};
