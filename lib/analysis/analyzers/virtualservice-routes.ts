// Walking a VirtualService's destinations: every place a route names a host (http, tcp and tls
// routes, mirrors), with the field path a finding points at.
export interface Destination {
  host?: string;
  subset?: string;
  port?: { number?: number };
}
interface RouteDestination {
  destination?: Destination;
  weight?: number;
}
/** Istio's StringMatch: one of exact, prefix or regex. */
export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}
/** An HTTP match request, the fields analyzers read. */
export interface HttpMatch {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers?: Record<string, StringMatch | null>;
  queryParams?: Record<string, StringMatch | null>;
  withoutHeaders?: Record<string, StringMatch | null>;
  [field: string]: unknown;
}
interface Route {
  match?: HttpMatch[];
  route?: RouteDestination[];
  mirror?: Destination;
  mirrors?: { destination?: Destination }[];
}
export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  exportTo?: string[];
  http?: (Route & Record<string, unknown>)[];
  tcp?: Route[];
  tls?: Route[];
}

export interface DestinationAt {
  destination: Destination;
  /** `spec.http[0].route[1].destination` */
  path: string;
  /** `http`, `tcp` or `tls` */
  protocol: 'http' | 'tcp' | 'tls';
  /** A mirror receives a copy; it is not a route target. */
  mirror: boolean;
  weight?: number;
}

/** Every destination of a VirtualService, in document order. */
export function routeDestinations(spec: VirtualServiceSpec | undefined): DestinationAt[] {
  const found: DestinationAt[] = [];
  for (const protocol of ['http', 'tcp', 'tls'] as const) {
    (spec?.[protocol] ?? []).forEach((route, r) => {
      (route.route ?? []).forEach((target, d) => {
        if (target.destination)
          found.push({
            destination: target.destination,
            path: `spec.${protocol}[${r}].route[${d}].destination`,
            protocol,
            mirror: false,
            weight: target.weight,
          });
      });
      if (route.mirror) found.push({ destination: route.mirror, path: `spec.${protocol}[${r}].mirror`, protocol, mirror: true });
      (route.mirrors ?? []).forEach((m, i) => {
        if (m.destination) found.push({ destination: m.destination, path: `spec.${protocol}[${r}].mirrors[${i}].destination`, protocol, mirror: true });
      });
    });
  }
  return found;
}

/** The gateway name that binds a VirtualService to the sidecars (Istio's util.MeshGateway). */
export const MESH_GATEWAY = 'mesh';

/** Whether a VirtualService applies to sidecars: no `gateways` at all, or `mesh` among them. */
export const boundToMesh = (spec: VirtualServiceSpec | undefined) => !spec?.gateways?.length || spec.gateways.includes(MESH_GATEWAY);

export interface GatewayRef {
  /** As written: `name` or `namespace/name`. */
  ref: string;
  namespace: string;
  name: string;
  /** `spec.gateways[i]` */
  path: string;
}

/**
 * The gateways a VirtualService names, other than `mesh`, resolved as Istio does
 * (resource.NewShortOrFullName): `ns/name` as written, a bare `name` in the VirtualService's namespace.
 */
export function gatewayRefs(spec: VirtualServiceSpec | undefined, namespace: string | undefined): GatewayRef[] {
  const refs: GatewayRef[] = [];
  (spec?.gateways ?? []).forEach((ref, i) => {
    if (ref === MESH_GATEWAY || typeof ref !== 'string') return;
    const slash = ref.indexOf('/');
    refs.push({
      ref,
      namespace: slash < 0 ? (namespace ?? 'default') : ref.slice(0, slash),
      name: slash < 0 ? ref : ref.slice(slash + 1),
      path: `spec.gateways[${i}]`,
    });
  });
  return refs;
}

/**
 * The namespaces a resource is exported to (Istio's exportTo): `['*']` when it has none or
 * lists `*`, otherwise the list with `.` read as the resource's own namespace.
 */
export function exportScopes(exportTo: readonly string[] | undefined, namespace: string | undefined): string[] {
  if (!exportTo?.length || exportTo.includes('*')) return ['*'];
  return [...new Set(exportTo.map((entry) => (entry === '.' ? (namespace ?? 'default') : entry)))];
}

/** Whether a resource exported to `scopes` is visible from `namespace`. */
export const visibleFrom = (scopes: readonly string[], namespace: string | undefined) => scopes.includes('*') || scopes.includes(namespace ?? 'default');
