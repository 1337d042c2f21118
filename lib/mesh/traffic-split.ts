// The Traffic page's reading of a VirtualService: each http route as a readable rule with
// its destinations (subsets checked against the DestinationRules), and the release
// strategy the rules amount to.
import { blueGreenVerdict, type EndpointLookup } from './blue-green';
import { DEFAULT_CANARY_VERSIONS, canaryIndex } from './canary';
import { serviceKey, shortHost } from './hosts';
import { managedBy } from './ownership';
import { rolloutOf, summarize, type RolloutSummary } from './rollout';
import type { DestinationRule, HTTPMatchRequest, HTTPRoute, StringMatch, VirtualService } from './types';
import { allTo, effectiveWeights, setWeight } from './weights';

export type Strategy = 'canary' | 'A/B' | 'blue-green' | 'header flag' | 'geo' | 'direct';

export interface DestinationView {
  host: string;
  service: string; // short name, e.g. reviews
  subset: string | undefined;
  weight: number;
  /** Why the subset cannot serve traffic, when it cannot. */
  warning?: string;
}

export interface RouteView {
  index: number;
  /** The route's name, or "route N" (its position) when it has none. */
  name: string;
  /** The name spec.http gives the route, when it gives one (a rollout plan checks it still names the same route). */
  declaredName?: string;
  /** One readable line per match block (blocks are alternatives). */
  rules: string[];
  destinations: DestinationView[];
  mirrors: { host: string; subset?: string; percent: number }[];
  timeout?: string;
  retries?: string;
  fault?: string;
  /** Two or more destinations: weights can be moved. */
  weighted: boolean;
  /** Two subsets at 100/0 that are blue-green by lib/mesh/blue-green's rule: the switch is offered. */
  blueGreen: boolean;
  /** Why the switch is offered or not (for two destinations at 100/0), shown beside it. */
  blueGreenWhy?: string;
  strategy: Strategy;
  match: HTTPMatchRequest[];
}

export interface VirtualServiceView {
  name: string;
  namespace: string;
  resourceVersion: string;
  hosts: string[];
  gateways: string[];
  strategies: Strategy[];
  /** Set when a progressive-delivery controller owns this object; editing is then blocked. */
  managedBy?: string;
  /** The mesh configuration's canary rule for this namespace (`canary.versions`, lib/mesh/canary). */
  canaryVersions: string;
  routes: RouteView[];
  /** The rollout recorded on this VirtualService (its annotation), active or ended; `rollout.route` is the route it moves. */
  rollout?: RolloutSummary;
  /** Why the rollout annotation could not be read, when it could not (never guessed at). */
  rolloutProblem?: string;
}

const describeString = (m: StringMatch): string =>
  m.exact !== undefined ? `= ${m.exact}` : m.prefix !== undefined ? `starts with ${m.prefix}` : m.regex !== undefined ? `matches /${m.regex}/` : 'is present';

/** "path starts with /api and x-plan = gold and end-user = jason". */
export function describeMatch(match: HTTPMatchRequest): string {
  const parts: string[] = [];
  if (match.uri) parts.push(`path ${describeString(match.uri)}${match.ignoreUriCase ? ' (any case)' : ''}`);
  if (match.scheme) parts.push(`scheme ${describeString(match.scheme)}`);
  if (match.method) parts.push(`method ${describeString(match.method)}`);
  if (match.authority) parts.push(`authority ${describeString(match.authority)}`);
  for (const [name, m] of Object.entries(match.headers ?? {})) parts.push(`${name} ${describeString(m)}`);
  for (const [name, m] of Object.entries(match.withoutHeaders ?? {})) parts.push(`not ${name} ${describeString(m)}`);
  for (const [name, m] of Object.entries(match.queryParams ?? {})) parts.push(`query ${name} ${describeString(m)}`);
  for (const [name, v] of Object.entries(match.sourceLabels ?? {})) parts.push(`source ${name} = ${v}`);
  if (match.gateways?.length) parts.push(`via ${match.gateways.join(' or ')}`);
  if (match.port) parts.push(`port ${match.port}`);
  if (match.sourceNamespace) parts.push(`from namespace ${match.sourceNamespace}`);
  return parts.length ? parts.join(' and ') : 'all requests';
}

const GEO_HEADERS = /country|region|geo|continent|x-forwarded-for-country/i;
const AB_HEADERS = /(^|-)ab(-|$)|variant|cohort/i;
const BLUE_GREEN = /^(blue|green)$/;

function strategyOf(route: HTTPRoute, weights: number[], subsets: (string | undefined)[], canaryVersions: string): Strategy {
  const headers = (route.match ?? []).flatMap((m) => Object.keys(m.headers ?? {}));
  if (headers.some((h) => GEO_HEADERS.test(h))) return 'geo';
  if (subsets.some((s) => s && BLUE_GREEN.test(s))) return 'blue-green';
  if (headers.some((h) => AB_HEADERS.test(h))) return 'A/B';
  if (canaryIndex(subsets, canaryVersions) >= 0) return 'canary';
  if (headers.length > 0) return 'header flag';
  if (weights.length >= 2 && weights.filter((w) => w > 0).length >= 2) return weights.some((w) => w > 0 && w < 50) ? 'canary' : 'A/B';
  return 'direct';
}

/** The subsets each service's DestinationRules define, keyed by service (see serviceKey). */
export type SubsetIndex = Map<string, string[]>;

export function indexSubsets(rules: DestinationRule[]): SubsetIndex {
  const index: SubsetIndex = new Map();
  for (const rule of rules) {
    const key = serviceKey(rule.spec.host, rule.metadata.namespace);
    index.set(key, [...(index.get(key) ?? []), ...(rule.spec.subsets?.map((s) => s.name) ?? [])]);
  }
  return index;
}

function subsetWarning(host: string, subset: string | undefined, namespace: string, subsets: SubsetIndex): string | undefined {
  if (!subset) return undefined;
  const known = subsets.get(serviceKey(host, namespace));
  if (!known) return `No DestinationRule defines subsets for ${shortHost(host)}: subset "${subset}" gets no traffic (503 NR)`;
  if (!known.includes(subset)) {
    return `Subset "${subset}" is not in the DestinationRule for ${shortHost(host)} (it has ${known.join(', ') || 'no subsets'}): this traffic fails with 503 NR`;
  }
  return undefined;
}

/** The view of one VirtualService for the Traffic page. */
export function viewVirtualService(
  vs: VirtualService,
  rules: DestinationRule[] | SubsetIndex,
  endpoints?: EndpointLookup,
  canaryVersions = DEFAULT_CANARY_VERSIONS,
): VirtualServiceView {
  const namespace = vs.metadata.namespace;
  const subsets = Array.isArray(rules) ? indexSubsets(rules) : rules;
  const routes = (vs.spec.http ?? []).map((route, index): RouteView => {
    const entries = route.route ?? [];
    const weights = effectiveWeights(entries.map((e) => e.weight));
    const destinations = entries.map((e, i) => ({
      host: e.destination.host,
      service: shortHost(e.destination.host),
      subset: e.destination.subset,
      weight: weights[i]!,
      warning: subsetWarning(e.destination.host, e.destination.subset, namespace, subsets),
    }));
    const mirrors = [
      ...(route.mirror ? [{ host: route.mirror.host, subset: route.mirror.subset, percent: route.mirrorPercentage?.value ?? 100 }] : []),
      ...(route.mirrors ?? []).map((m) => ({ host: m.destination.host, subset: m.destination.subset, percent: m.percentage?.value ?? 100 })),
    ];
    const faults = [
      route.fault?.delay && `delay ${route.fault.delay.fixedDelay} for ${route.fault.delay.percentage?.value ?? 100}%`,
      route.fault?.abort && `abort ${route.fault.abort.httpStatus} for ${route.fault.abort.percentage?.value ?? 100}%`,
    ].filter(Boolean);
    const atHundredZero = destinations.length === 2 && weights.includes(100) && weights.includes(0);
    const verdict = atHundredZero ? blueGreenVerdict(vs, index, endpoints) : undefined;
    return {
      index,
      name: route.name ?? `route ${index + 1}`,
      ...(route.name !== undefined ? { declaredName: route.name } : {}),
      rules: (route.match ?? []).length ? route.match!.map(describeMatch) : ['all requests'],
      destinations,
      mirrors,
      timeout: route.timeout,
      retries: route.retries ? `${route.retries.attempts ?? 2} retries${route.retries.perTryTimeout ? ` × ${route.retries.perTryTimeout}` : ''}` : undefined,
      fault: faults.length ? faults.join(', ') : undefined,
      weighted: destinations.length >= 2,
      blueGreen: verdict?.blueGreen ?? false,
      ...(verdict ? { blueGreenWhy: verdict.why } : {}),
      strategy: strategyOf(
        route,
        weights,
        destinations.map((d) => d.subset),
        canaryVersions,
      ),
      match: route.match ?? [],
    };
  });
  const rollout = rolloutOf(vs);
  return {
    name: vs.metadata.name,
    namespace,
    resourceVersion: vs.metadata.resourceVersion,
    hosts: vs.spec.hosts ?? [],
    gateways: vs.spec.gateways ?? ['mesh'],
    strategies: [...new Set(routes.map((r) => r.strategy).filter((s) => s !== 'direct'))],
    managedBy: managedBy(vs),
    canaryVersions,
    routes,
    ...(rollout && 'state' in rollout ? { rollout: summarize(namespace, vs.metadata.name, vs.metadata.resourceVersion, rollout.state) } : {}),
    ...(rollout && 'problem' in rollout ? { rolloutProblem: rollout.problem } : {}),
  };
}

/** "stable 95% / canary 5%". */
export function describeSplit(destinations: { subset?: string; service: string; weight: number }[]): string {
  return destinations.map((d) => `${d.subset ?? d.service} ${d.weight}%`).join(' / ');
}

// Common release names; anything else falls back to first = stable, last = candidate. The
// canary itself is what the mesh configuration's rule says (lib/mesh/canary), as on every page.
const STABLE = /stable|primary|blue|^v1$|main|prod|^a$/;
const CANDIDATE = /green|^v2$|next|preview|^b$|new/;

/** Which destination is the stable version and which the new one, for promote and rollback. */
export function releaseRoles(subsets: (string | undefined)[], canaryVersions = DEFAULT_CANARY_VERSIONS): { stable: number; candidate: number } {
  const canary = canaryIndex(subsets, canaryVersions);
  const stable = Math.max(
    0,
    subsets.findIndex((s, i) => i !== canary && s !== undefined && STABLE.test(s)),
  );
  const named = subsets.findIndex((s, i) => i !== stable && s !== undefined && CANDIDATE.test(s));
  const found = canary >= 0 && canary !== stable ? canary : named;
  const candidate = found >= 0 ? found : subsets.length - 1 === stable ? 0 : subsets.length - 1;
  return { stable, candidate };
}

const STEPS = [5, 10, 25, 50];

/**
 * The one-click splits of a route: per candidate (every destination but the stable one, so a
 * three-way split has presets for v2 and for v3) promote and 5/10/25/50 %, and a rollback.
 */
export function releasePresets(
  destinations: { subset?: string; service: string }[],
  weights: number[],
  canaryVersions = DEFAULT_CANARY_VERSIONS,
): { label: string; weights: number[] }[] {
  if (destinations.length < 2) return [];
  const name = (i: number) => destinations[i]!.subset ?? destinations[i]!.service;
  const roles = releaseRoles(
    destinations.map((d) => d.subset),
    canaryVersions,
  );
  const candidates = destinations.length === 2 ? [roles.candidate] : destinations.map((_, i) => i).filter((i) => i !== roles.stable);
  const unlocked = weights.map(() => false);
  return [
    ...candidates.flatMap((c) => [
      { label: `Promote ${name(c)}`, weights: allTo(weights.length, c) },
      ...STEPS.map((step) => ({ label: `${name(c)} ${step}%`, weights: setWeight({ weights, locked: unlocked }, c, step) })),
    ]),
    { label: `Roll back to ${name(roles.stable)}`, weights: allTo(weights.length, roles.stable) },
  ];
}
