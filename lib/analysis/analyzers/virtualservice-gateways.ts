// The gateways a VirtualService binds to must exist, and serve at least one of its hosts
// (Istio's virtualservice.GatewayAnalyzer: IST0101, IST0132).
//
// As Istio: `mesh` is not a gateway; `name` is looked up in the VirtualService's namespace and
// `ns/name` as written. A server host `./h` means the gateway's namespace, `*/h` any namespace
// and `*/*` every host; a host qualified with another namespace than the VirtualService's does
// not count. Hosts are compared as written (host.Name.Matches, wildcards either side), so a
// short VirtualService host never matches a gateway's FQDN. A gateway that does not exist has
// no hosts, so Istio reports it both as missing and as not serving the hosts.
import { K } from '../kinds';
import type { Analyzer } from '../types';
import { hostsOverlap } from '../lookups';
import { gatewayRefs, type VirtualServiceSpec } from './virtualservice-routes';

interface GatewaySpec {
  servers?: { hosts?: string[] }[];
}

/** A server's hosts as Istio's analyzer reads them (sanitizeServerHostNamespace). */
function sanitizedHosts(hosts: readonly string[], gatewayNamespace: string): string[] {
  const out: string[] = [];
  for (const host of hosts) {
    const [scope, name] = host.includes('/') ? (host.split('/') as [string, string]) : [undefined, host];
    if (scope === '*' && name === '*') return ['*'];
    out.push(scope === '.' ? `${gatewayNamespace}/${name}` : scope === '*' ? name : host);
  }
  return out;
}

/** The hosts a gateway offers to VirtualServices of `namespace` (Istio's host.NamesForNamespace). */
export function gatewayHostsFor(gateway: { metadata: { namespace?: string }; spec?: unknown }, namespace: string): string[] {
  const gatewayNamespace = gateway.metadata.namespace ?? 'default';
  return ((gateway.spec as GatewaySpec | undefined)?.servers ?? [])
    .flatMap((server) => sanitizedHosts(server.hosts ?? [], gatewayNamespace))
    .flatMap((host) => {
      if (!host.includes('/')) return [host];
      const [scope, name] = host.split('/') as [string, string];
      return scope === namespace || scope === '*' ? [name] : [];
    });
}

export const virtualServiceGateways: Analyzer = {
  id: 'virtualservice.gateways',
  description: 'Every gateway a VirtualService names exists and serves one of its hosts',
  kinds: [K.VirtualService],
  codes: ['IST0101', 'IST0132'],
  check(vs, context) {
    if (!context.available(K.Gateway)) return;
    const spec = vs.spec as VirtualServiceSpec | undefined;
    const namespace = vs.metadata.namespace ?? 'default';
    const hosts = spec?.hosts ?? [];
    for (const ref of gatewayRefs(spec, namespace)) {
      const gateway = context.get(K.Gateway, ref.namespace, ref.name);
      if (!gateway) context.report('IST0101', `Referenced gateway not found: "${ref.ref}"`, { path: ref.path });
      const offered = gateway ? gatewayHostsFor(gateway, namespace) : [];
      if (!offered.some((gatewayHost) => hosts.some((host) => hostsOverlap(gatewayHost, host)))) {
        context.report(
          'IST0132',
          `one or more host [${hosts.join(' ')}] defined in VirtualService ${namespace}/${vs.metadata.name} not found in Gateway ${ref.namespace}/${ref.name}.`,
          { path: ref.path },
        );
      }
    }
  },
};
