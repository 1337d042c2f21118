// Every host a route or mirror sends to must be a Service or a ServiceEntry the VirtualService
// can see, and a service with several ports needs the port named (Istio's
// virtualservice.DestinationHostAnalyzer: IST0101, IST0112; and IST0140, which Istio reports
// from the same analyzer).
//
// Visibility as Istio's util.GetDestinationHost: a ServiceEntry counts everywhere when it is
// exported to all namespaces (no exportTo, or `*`), otherwise in its own namespace only; a
// Service counts in the namespaces of its `networking.istio.io/exportTo` annotation (default
// all). The host is looked up, as the VirtualService's namespace resolves it, in the scope `*`
// and in each namespace the VirtualService is exported to (its own when it has no exportTo);
// then wildcard ServiceEntry hosts (`*.example.com`, `*`) visible to its namespace are tried.
//
// IST0140: a gateway-bound VirtualService routing to a host without a subset, while some
// VirtualService splits that host (one of its own hosts) by subset: the gateway's requests go
// to the service directly and never see that split. Istio compares the hosts as written; here
// they are compared as FQDNs, each in its own namespace, so `ledger` and
// `ledger.bank.svc.cluster.local` are one host.
import { K } from '../kinds';
import { fqdn, SERVICES_BY_HOST, servicesForHost } from '../lookups';
import type { AnalysisObject, Analyzer, IndexDefinition, View } from '../types';
import { coveringWildcards } from './virtualservice-conflictingmeshgatewayhosts';
import { exportScopes, routeDestinations, type VirtualServiceSpec } from './virtualservice-routes';

const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

interface ServiceEntrySpec {
  hosts?: string[];
  exportTo?: string[];
  ports?: { number?: number }[];
}
interface ServiceSpec {
  ports?: { port?: number }[];
}

/** Where Istio's analyzer files a Service or ServiceEntry: the namespaces (or `*`) it is visible in. */
function scopesOf(target: AnalysisObject): string[] {
  const namespace = target.metadata.namespace;
  if (target.kind === 'ServiceEntry') {
    // Istio's InitServiceEntryHostMap: exported to all, or else its own namespace (whatever else it lists).
    return exportScopes((target.spec as ServiceEntrySpec | undefined)?.exportTo, namespace)[0] === '*' ? ['*'] : [namespace ?? 'default'];
  }
  const annotation = target.metadata.annotations?.[EXPORT_TO_ANNOTATION];
  return annotation
    ? exportScopes(
        annotation.split(',').map((s) => s.trim()),
        namespace,
      )
    : ['*'];
}

/** The ports a destination can name on a Service or ServiceEntry. */
function portsOf(target: AnalysisObject): number[] {
  if (target.kind === 'ServiceEntry') return ((target.spec as ServiceEntrySpec | undefined)?.ports ?? []).flatMap((p) => (p.number ? [p.number] : []));
  return ((target.spec as ServiceSpec | undefined)?.ports ?? []).flatMap((p) => (p.port ? [p.port] : []));
}

/** The Service or ServiceEntry a destination host resolves to, as Istio's analyzer finds it, or undefined. */
export function destinationService(view: View, vs: AnalysisObject, host: string): AnalysisObject | undefined {
  const namespace = vs.metadata.namespace;
  const wanted = fqdn(host, namespace);
  const vsScopes = (vs.spec as VirtualServiceSpec | undefined)?.exportTo?.length
    ? exportScopes((vs.spec as VirtualServiceSpec).exportTo, namespace)
    : [namespace ?? 'default'];
  const exact = servicesForHost(view, wanted);
  const everywhere = exact.find((target) => scopesOf(target).includes('*'));
  if (everywhere) return everywhere;
  const scoped = exact.find((target) => scopesOf(target).some((scope) => vsScopes.includes(scope)));
  if (scoped) return scoped;
  // Wildcard ServiceEntry hosts visible to the VirtualService's namespace whose suffix the host ends with.
  for (const pattern of coveringWildcards(wanted).slice(1)) {
    const entry = view.lookup('serviceentry.host', pattern).find((target) => scopesOf(target).some((scope) => scope === '*' || scope === namespace));
    if (entry) return entry;
  }
  return undefined;
}

/** VirtualServices that split one of their own hosts by subset, by that host's FQDN (for IST0140). */
export const VIRTUAL_SERVICES_BY_SUBSET_SPLIT_HOST: IndexDefinition = {
  id: 'virtualservice.subsetsplit.host',
  kind: K.VirtualService,
  keys: (vs) => {
    const spec = vs.spec as VirtualServiceSpec | undefined;
    const own = new Set((spec?.hosts ?? []).map((h) => fqdn(h, vs.metadata.namespace)));
    const keys = routeDestinations(spec)
      .filter((d) => d.protocol === 'http' && !d.mirror && d.destination.subset && d.destination.host)
      .map((d) => fqdn(d.destination.host!, vs.metadata.namespace))
      .filter((host) => own.has(host));
    return [...new Set(keys)];
  },
};

const fullName = (object: AnalysisObject) => `${object.metadata.namespace}/${object.metadata.name}`;

export const virtualServiceDestinationHosts: Analyzer = {
  id: 'virtualservice.destinationhosts',
  description: 'Every destination host of a VirtualService is a Service or ServiceEntry, with a port where it has several',
  kinds: [K.VirtualService],
  codes: ['IST0101', 'IST0112', 'IST0140'],
  indexes: [...SERVICES_BY_HOST, VIRTUAL_SERVICES_BY_SUBSET_SPLIT_HOST],
  check(vs, context) {
    const spec = vs.spec as VirtualServiceSpec | undefined;
    // Without Services (or ServiceEntries) loaded, a host cannot be called missing.
    const canResolve = context.available(K.Service) && context.available(K.ServiceEntry);
    // Routes often name one host several times (a split between subsets): resolve each once.
    const resolved = new Map<string, AnalysisObject | undefined>();
    for (const { destination, path, mirror } of routeDestinations(spec)) {
      if (!canResolve || typeof destination.host !== 'string') continue;
      if (!resolved.has(destination.host)) resolved.set(destination.host, destinationService(context, vs, destination.host));
      const target = resolved.get(destination.host);
      if (!target) {
        context.report('IST0101', `Referenced ${mirror ? 'mirror host' : 'host'} not found: "${destination.host}"`, { path: `${path}.host` });
        continue;
      }
      const ports = portsOf(target);
      const port = destination.port?.number;
      if (port === undefined) {
        if (ports.length > 1) {
          context.report(
            'IST0112',
            `This VirtualService routes to a service "${destination.host}" that exposes multiple ports [${ports.join(' ')}]. Specifying a port in the destination is required to disambiguate.`,
            { path },
          );
        }
      } else if (!ports.includes(port)) {
        context.report('IST0101', `Referenced host:port not found: "${destination.host}:${port}"`, { path: `${path}.port.number` });
      }
    }

    if (!spec?.gateways?.length) return;
    for (const { destination, path, protocol, mirror } of routeDestinations(spec)) {
      if (protocol !== 'http' || mirror || destination.subset || !destination.host) continue;
      for (const splitter of context.lookup(VIRTUAL_SERVICES_BY_SUBSET_SPLIT_HOST.id, fqdn(destination.host, vs.metadata.namespace))) {
        context.report('IST0140', `Subset in virtual service ${fullName(splitter)} has no effect on ingress gateway ${fullName(vs)} requests`, {
          path: `${path}.host`,
        });
      }
    }
  },
};
