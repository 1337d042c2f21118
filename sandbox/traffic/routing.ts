// Istio's HTTP routing, as Envoy applies a VirtualService: the first http route whose
// match fits wins; then a weighted destination is drawn. Pure functions over the specs.

import type { Destination, HTTPMatchRequest, HTTPRoute, StringMatch, VirtualService } from '../../lib/mesh/types.ts';

export type { Destination, HTTPMatchRequest, HTTPRoute, StringMatch } from '../../lib/mesh/types.ts';
export type VirtualServiceSpec = VirtualService['spec'];

export interface RequestInfo {
  host: string; // authority as the client addressed it
  path: string;
  method: string;
  headers: Record<string, string>; // lower-case names
  gateway?: string; // "namespace/name" when entering through a gateway; undefined inside the mesh
}

// Go durations ("1m30s", "1.5s", "500ms") as Istio's CRDs accept them: the product's own parser.
export { durationMs } from '../../lib/mesh/duration.ts';

const regexCache = new Map<string, RegExp>();
function fullRegex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) regexCache.set(pattern, (re = new RegExp(`^(?:${pattern})$`))); // Envoy's RE2 matches the whole value
  return re;
}

export function stringMatches(match: StringMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (match.exact !== undefined) return value === match.exact;
  if (match.prefix !== undefined) return value.startsWith(match.prefix);
  if (match.regex !== undefined) return fullRegex(match.regex).test(value);
  return true; // an empty match only requires presence
}

/** Whether one HTTPMatchRequest fits the request (all its conditions must hold). */
export function matchFits(match: HTTPMatchRequest, request: RequestInfo): boolean {
  if (match.uri && !stringMatches(match.uri, request.path.split('?')[0])) return false;
  if (match.method && !stringMatches(match.method, request.method)) return false;
  if (match.authority && !stringMatches(match.authority, request.host)) return false;
  for (const [name, m] of Object.entries(match.headers ?? {})) if (!stringMatches(m, request.headers[name.toLowerCase()])) return false;
  for (const [name, m] of Object.entries(match.withoutHeaders ?? {})) if (stringMatches(m, request.headers[name.toLowerCase()])) return false;
  if (match.queryParams) {
    const query = new URLSearchParams(request.path.split('?')[1] ?? '');
    for (const [name, m] of Object.entries(match.queryParams)) if (!stringMatches(m, query.get(name) ?? undefined)) return false;
  }
  if (match.gateways && !match.gateways.includes(request.gateway ?? 'mesh')) return false;
  return true;
}

/** The first route whose matches fit (a route without matches fits everything), and its index. */
export function selectRoute(routes: HTTPRoute[], request: RequestInfo): { route: HTTPRoute; index: number } | undefined {
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index]!;
    if (!route.match?.length || route.match.some((m) => matchFits(m, request))) return { route, index };
  }
  return undefined;
}

/** Draws a destination by weight (a lone destination without weight takes everything). */
export function pickDestination(route: HTTPRoute, random: () => number): Destination | undefined {
  const entries = route.route ?? [];
  if (entries.length === 0) return undefined;
  if (entries.length === 1) return entries[0]!.destination;
  const total = entries.reduce((sum, e) => sum + (e.weight ?? 0), 0);
  if (total <= 0) return entries[0]!.destination;
  let draw = random() * total;
  for (const entry of entries) {
    draw -= entry.weight ?? 0;
    if (draw < 0) return entry.destination;
  }
  return entries[entries.length - 1]!.destination;
}

/** Short host name ("nutrition-service") from any form Istio accepts. */
export function shortHost(host: string): string {
  return host.split('.')[0]!.split(':')[0]!;
}

/** Whether a VirtualService applies to this request: bound to its gateway (or the mesh) and naming its host. */
export function virtualServiceApplies(spec: VirtualServiceSpec, vsNamespace: string, request: RequestInfo): boolean {
  const gateways = spec.gateways?.length ? spec.gateways : ['mesh'];
  const bound = request.gateway ? gateways.some((g) => g === request.gateway || `${vsNamespace}/${g}` === request.gateway) : gateways.includes('mesh');
  if (!bound) return false;
  const requested = canonicalHost(request.host, vsNamespace);
  return (spec.hosts ?? []).some((h) => (h.startsWith('*.') ? requested.endsWith(h.slice(1)) : canonicalHost(h, vsNamespace) === requested));
}

/** Cluster-local names in every form ("svc", "svc.ns", "svc.ns.svc.cluster.local") become one; others stay as they are. */
export function canonicalHost(host: string, namespace: string): string {
  const name = host.split(':')[0]!;
  const parts = name.split('.');
  if (parts.length === 1) return `${name}.${namespace}.svc.cluster.local`;
  if (parts.length === 2 || (parts[2] === 'svc' && (parts.length === 3 || name.endsWith('.svc.cluster.local'))))
    return `${parts[0]}.${parts[1]}.svc.cluster.local`;
  return name;
}
