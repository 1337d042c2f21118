// MDK0001: an http route no request can reach, because earlier routes match every request it
// would. Envoy takes the first route that matches; a route's matches are alternatives (any one
// suffices) and the conditions inside one match all have to hold. A later match is shadowed by
// an earlier one when each condition of the earlier match follows from the later one's:
// - uri, scheme, method, authority, headers, query parameters: the same exact value; a prefix of
//   the later exact value or prefix (`/api` covers `/api/v1` and exact `/api/users`); a presence
//   check covers any condition on that header; regexes only when identical (no regex algebra).
//   `uri: {prefix: /}` matches every path. ignoreUriCase on the earlier match compares
//   case-insensitively; on the later match alone it widens the later one, so it is not covered.
// - withoutHeaders: the later match excludes the same value, or the header altogether.
// - port, sourceNamespace: absent or equal; sourceLabels: a subset of the later ones; gateways:
//   the later match's (or the VirtualService's) are among the earlier one's.
// - any field this list does not know makes the earlier match not cover anything (conservative).
// A route without matches matches everything. Several earlier routes may shadow one route
// together, each covering some of its matches; a single match is never split across routes.
//
// Split with Istio's IST0130 (VirtualServiceUnreachableRule, from its validation's
// analyzeUnreachableHTTPRules): Istio already reports a route after a route without matches,
// and a route whose every match repeats an earlier match (names aside). Those routes are left to
// IST0130; MDK0001 reports only what that misses: shadowing by broader matches.
import { K } from '../kinds';
import type { Analyzer } from '../types';
import { routeLabel } from './meshdeck-workloads';
import type { HTTPMatchRequest, StringMatch } from '@/lib/mesh/types';

interface HttpRoute {
  name?: string;
  match?: HTTPMatchRequest[];
}

const KNOWN_FIELDS = new Set([
  'name',
  'uri',
  'scheme',
  'method',
  'authority',
  'headers',
  'withoutHeaders',
  'queryParams',
  'ignoreUriCase',
  'sourceLabels',
  'gateways',
  'port',
  'sourceNamespace',
  'statPrefix',
]);

/** Whether every value `later` accepts is accepted by `earlier` (undefined `earlier`: no condition). */
function implies(later: StringMatch | undefined, earlier: StringMatch | undefined, caseless = false): boolean {
  if (earlier === undefined) return true;
  if (later === undefined) return false;
  if (earlier.exact === undefined && earlier.prefix === undefined && earlier.regex === undefined) return true;
  if (earlier.regex !== undefined) return later.regex === earlier.regex;
  const fold = (s: string) => (caseless ? s.toLowerCase() : s);
  const value = later.exact ?? later.prefix;
  if (value === undefined) return false;
  if (earlier.exact !== undefined) return later.exact !== undefined && fold(later.exact) === fold(earlier.exact);
  return fold(value).startsWith(fold(earlier.prefix!));
}

function keyed(later: Record<string, StringMatch> | undefined, earlier: Record<string, StringMatch> | undefined): boolean {
  return Object.entries(earlier ?? {}).every(([key, condition]) => later?.[key] !== undefined && implies(later[key], condition));
}

const canonical = (value: unknown): string =>
  value && typeof value === 'object'
    ? Array.isArray(value)
      ? `[${value.map(canonical).join(',')}]`
      : `{${Object.keys(value)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
          .join(',')}}`
    : JSON.stringify(value);
/** A match as Istio compares them for IST0130: its JSON without the name. */
const identity = ({ name: _name, ...match }: HTTPMatchRequest) => canonical(match);

/** Whether every request `later` matches is matched by `earlier`. */
export function covers(earlier: HTTPMatchRequest, later: HTTPMatchRequest, virtualServiceGateways: readonly string[]): boolean {
  if (Object.keys(earlier).some((field) => !KNOWN_FIELDS.has(field))) return false;
  const earlierUri = earlier.uri?.prefix === '/' ? undefined : earlier.uri;
  const uri = earlierUri === undefined || ((earlier.ignoreUriCase || !later.ignoreUriCase) && implies(later.uri, earlierUri, earlier.ignoreUriCase === true));
  const gatewaysOf = (m: HTTPMatchRequest) => (m.gateways?.length ? m.gateways : virtualServiceGateways);
  return (
    uri &&
    implies(later.scheme, earlier.scheme) &&
    implies(later.method, earlier.method) &&
    implies(later.authority, earlier.authority) &&
    keyed(later.headers, earlier.headers) &&
    keyed(later.queryParams, earlier.queryParams) &&
    Object.entries(earlier.withoutHeaders ?? {}).every(([key, condition]) => {
      const excluded = later.withoutHeaders?.[key];
      return excluded !== undefined && (canonical(excluded) === canonical(condition) || canonical(excluded) === '{}');
    }) &&
    (earlier.port === undefined || earlier.port === later.port) &&
    (earlier.sourceNamespace === undefined || earlier.sourceNamespace === later.sourceNamespace) &&
    Object.entries(earlier.sourceLabels ?? {}).every(([key, value]) => later.sourceLabels?.[key] === value) &&
    gatewaysOf(later).every((g) => gatewaysOf(earlier).includes(g))
  );
}

export const meshdeckShadowedRoutes: Analyzer = {
  id: 'meshdeck.shadowedroutes',
  description: 'Every http route can receive some request no earlier route takes',
  kinds: [K.VirtualService],
  codes: ['MDK0001'],
  check(vs, context) {
    const spec = vs.spec as { gateways?: string[]; http?: HttpRoute[] } | undefined;
    const routes = spec?.http ?? [];
    const gateways = spec?.gateways?.length ? spec.gateways : ['mesh'];
    // IST0130's cases are left to it: every route after a catch-all, and a route whose every match repeats an earlier one.
    const catchAll = routes.findIndex((route) => !route.match?.length);
    const seen = new Set<string>();
    routes.forEach((route, r) => {
      if (catchAll >= 0 && r > catchAll) return;
      const ids = (route.match ?? []).map(identity);
      const repeated = ids.length > 0 && ids.every((id) => seen.has(id));
      for (const id of ids) seen.add(id);
      if (r === 0 || repeated) return;
      const earlier = routes.slice(0, r);
      const matches = route.match?.length ? route.match : [{}];
      const shadows = matches.map((m) => earlier.findIndex((e) => e.match!.some((em) => covers(em, m, gateways))));
      if (shadows.some((j) => j < 0)) return;
      const by = [...new Set(shadows)].sort((a, b) => a - b).map((j) => routeLabel(routes[j], j));
      const names = by.length === 1 ? `route ${by[0]}` : `routes ${by.slice(0, -1).join(', ')} and ${by.at(-1)}`;
      context.report(
        'MDK0001',
        `Route ${routeLabel(route, r)} is never used: ${names} earlier ${by.length === 1 ? 'matches' : 'match'} every request it would`,
        {
          path: `spec.http[${r}]`,
        },
      );
    });
  },
};
