// When a 100/0 route is a blue-green switch. A route at 100/0 is also where a canary for early
// adopters, an A/B test's default and a rollback end up, so the shape alone says nothing; the
// switch is offered only when the config names the route blue-green or the two subsets are two
// full deployments of one service (see BLUE_GREEN_RULE, which the page shows).
import type { VirtualService } from './types';
import { serviceKey } from './hosts';
import { effectiveWeights } from './weights';

/** Set on a VirtualService (annotation or label): `blue-green` marks its routes; any other value (e.g. `canary`) rules it out. */
export const STRATEGY_ANNOTATION = 'meshdeck.io/strategy';

export const BLUE_GREEN_RULE =
  `A blue-green switch is offered on a route that sends 100% to one of two subsets of one service when the VirtualService is annotated (or labelled) ${STRATEGY_ANNOTATION}: blue-green, ` +
  "or the subsets are named blue and green, or both subsets are full deployments: the same number of endpoints, together all of the service's endpoints, and no route of this VirtualService sends traffic to both at once.";

/** Endpoints (pods) of a subset and of its whole service, as the cluster has them now. */
export interface SubsetEndpoints {
  subset: number;
  service: number;
}
export type EndpointLookup = (host: string, subset: string) => SubsetEndpoints | undefined;

export interface BlueGreenVerdict {
  blueGreen: boolean;
  /** Why the switch is shown, or why not: shown on the page. */
  why: string;
}

/** Whether route `index` of the VirtualService is a blue-green switch, and why (see BLUE_GREEN_RULE). */
export function blueGreenVerdict(vs: VirtualService, index: number, endpoints?: EndpointLookup): BlueGreenVerdict {
  const entries = vs.spec.http?.[index]?.route ?? [];
  const weights = effectiveWeights(entries.map((e) => e.weight));
  const [a, b] = entries.map((e) => e.destination);
  if (entries.length !== 2 || !a || !b || !weights.includes(100) || !weights.includes(0))
    return { blueGreen: false, why: 'Not a blue-green switch: that needs exactly two destinations at 100/0.' };
  const service = (host: string) => serviceKey(host, vs.metadata.namespace);
  if (service(a.host) !== service(b.host) || !a.subset || !b.subset)
    return { blueGreen: false, why: 'Not a blue-green switch: the two destinations are not two subsets of one service.' };
  const marked = vs.metadata.annotations?.[STRATEGY_ANNOTATION] ?? vs.metadata.labels?.[STRATEGY_ANNOTATION];
  if (marked === 'blue-green') return { blueGreen: true, why: `Blue-green: the VirtualService is marked ${STRATEGY_ANNOTATION}: blue-green.` };
  if (marked !== undefined) return { blueGreen: false, why: `Not a blue-green switch: the VirtualService is marked ${STRATEGY_ANNOTATION}: ${marked}.` };
  if ([a.subset, b.subset].sort().join() === 'blue,green') return { blueGreen: true, why: 'Blue-green: the subsets are named blue and green.' };
  const together = (vs.spec.http ?? []).find((route) => {
    const ws = effectiveWeights((route.route ?? []).map((e) => e.weight));
    const serves = (subset: string) =>
      (route.route ?? []).some((e, i) => service(e.destination.host) === service(a.host) && e.destination.subset === subset && ws[i]! > 0);
    return serves(a.subset!) && serves(b.subset!);
  });
  if (together)
    return {
      blueGreen: false,
      why: `Not a blue-green switch: route ${together.name ?? (vs.spec.http ?? []).indexOf(together) + 1} sends traffic to ${a.subset} and ${b.subset} at once (a canary or A/B test).`,
    };
  const [ea, eb] = [endpoints?.(a.host, a.subset), endpoints?.(a.host, b.subset)];
  if (!ea || !eb) return { blueGreen: false, why: 'Not a blue-green switch: not marked so, and the endpoints of its subsets are unknown.' };
  if (ea.subset > 0 && ea.subset === eb.subset && ea.subset + eb.subset === ea.service) {
    return {
      blueGreen: true,
      why: `Blue-green: ${a.subset} and ${b.subset} are full deployments (${ea.subset} endpoints each, all of the service's ${ea.service}).`,
    };
  }
  return {
    blueGreen: false,
    why: `Not a blue-green switch: ${a.subset} has ${ea.subset} and ${b.subset} ${eb.subset} of the service's ${ea.service} endpoints, not two full deployments.`,
  };
}
