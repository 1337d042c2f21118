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
interface Route {
  route?: RouteDestination[];
  mirror?: Destination;
  mirrors?: { destination?: Destination }[];
}
export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
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
