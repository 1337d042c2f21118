// Two VirtualServices bound to the mesh gateway that claim one host: sidecars merge them in an
// undefined order (Istio's virtualservice.ConflictingMeshGatewayHostsAnalyzer, IST0109).
//
// As Istio: a VirtualService is mesh-bound when it has no `gateways` or lists `mesh`; its hosts
// are scoped by its exportTo (none or `*`: everywhere; otherwise each listed namespace, `.`
// being its own). Two of one scope and one host conflict; a namespace-scoped one also conflicts
// with an exported-everywhere one whose host matches it, wildcards included. Each
// VirtualService is reported once, with the first of its hosts that conflicts.
//
// Istio compares every pair in the cluster; here a check reads the VirtualServices filed under
// its host (VIRTUAL_SERVICES_BY_HOST), the mesh-bound wildcard hosts of the same last label
// (few), and, for a wildcard host only, the mesh-bound hosts of that last label it may cover.
import { K } from '../kinds';
import { fqdn, hostsOverlap, hostSubsetOf, VIRTUAL_SERVICES_BY_HOST } from '../lookups';
import type { AnalysisObject, Analyzer, IndexDefinition, View } from '../types';
import { boundToMesh, exportScopes, type VirtualServiceSpec } from './virtualservice-routes';

const specOf = (vs: AnalysisObject) => vs.spec as VirtualServiceSpec | undefined;
const fullName = (vs: AnalysisObject) => `${vs.metadata.namespace}/${vs.metadata.name}`;

/** The host itself and every wildcard that covers it (`a.b.c` → `*.b.c`, `*.c`, `*`). */
export function coveringWildcards(host: string): string[] {
  const bare = host.startsWith('*') ? host.slice(1) : host;
  const found = [host];
  for (let dot = bare.indexOf('.', 1); dot >= 0; dot = bare.indexOf('.', dot + 1)) found.push(`*${bare.slice(dot)}`);
  if (host !== '*') found.push('*');
  return [...new Set(found)];
}

/** The last label of a host (`com` of `*.example.com`), or `*` for the host `*`: a coarse key that any covering wildcard shares. */
const topLevel = (host: string) => host.slice(host.lastIndexOf('.') + 1);

const meshHosts = (vs: AnalysisObject) => {
  const spec = specOf(vs);
  return boundToMesh(spec) ? (spec?.hosts ?? []).map((h) => fqdn(h, vs.metadata.namespace)) : [];
};

/** Mesh-bound VirtualServices with a wildcard host, by that host's last label (few: wildcards are rare). */
export const MESH_WILDCARD_HOSTS_BY_TOP_LEVEL: IndexDefinition = {
  id: 'virtualservice.meshwildcard.toplevel',
  kind: K.VirtualService,
  keys: (vs) => [
    ...new Set(
      meshHosts(vs)
        .filter((h) => h.startsWith('*'))
        .map(topLevel),
    ),
  ],
};

/** Mesh-bound VirtualServices by the last label of each host: read only by wildcard hosts, to find the hosts they cover. */
export const MESH_HOSTS_BY_TOP_LEVEL: IndexDefinition = {
  id: 'virtualservice.meshhost.toplevel',
  kind: K.VirtualService,
  keys: (vs) => [...new Set(meshHosts(vs).map(topLevel))],
};

interface Claim {
  vs: AnalysisObject;
  scopes: string[];
  host: string;
}

/** The mesh-bound VirtualServices whose hosts may conflict with `host` (an FQDN or wildcard): the same host, wildcards covering it, and for a wildcard the hosts it covers. */
function claimsNear(view: View, host: string): Claim[] {
  const claims = new Map<string, Claim>();
  const file = (vs: AnalysisObject, wanted: (theirs: string) => boolean) => {
    const spec = specOf(vs);
    if (!boundToMesh(spec)) return;
    for (const theirs of meshHosts(vs)) {
      const key = `${vs.metadata.namespace}/${vs.metadata.name}|${theirs}`;
      if (!claims.has(key) && wanted(theirs)) claims.set(key, { vs, scopes: exportScopes(spec?.exportTo, vs.metadata.namespace), host: theirs });
    }
  };
  for (const vs of view.lookup(VIRTUAL_SERVICES_BY_HOST.id, host)) file(vs, (theirs) => theirs === host);
  const top = topLevel(host);
  for (const key of top === '*' ? ['*'] : [top, '*']) {
    for (const vs of view.lookup(MESH_WILDCARD_HOSTS_BY_TOP_LEVEL.id, key)) file(vs, (theirs) => theirs.startsWith('*') && hostSubsetOf(host, theirs));
  }
  if (host.startsWith('*')) {
    // The hosts a wildcard covers: under its last label, or anywhere for `*` itself (rare: a list of every VirtualService).
    const narrower = host === '*' ? view.list(K.VirtualService) : view.lookup(MESH_HOSTS_BY_TOP_LEVEL.id, top);
    for (const vs of narrower) file(vs, (theirs) => hostSubsetOf(theirs, host));
  }
  return [...claims.values()];
}

export const virtualServiceConflictingMeshGatewayHosts: Analyzer = {
  id: 'virtualservice.conflictingmeshgatewayhosts',
  description: 'VirtualServices bound to the mesh gateway do not define the same host',
  kinds: [K.VirtualService],
  codes: ['IST0109'],
  indexes: [VIRTUAL_SERVICES_BY_HOST, MESH_WILDCARD_HOSTS_BY_TOP_LEVEL, MESH_HOSTS_BY_TOP_LEVEL],
  check(vs, context) {
    const spec = specOf(vs);
    if (!boundToMesh(spec)) return;
    const scopes = exportScopes(spec?.exportTo, vs.metadata.namespace);
    for (const host of [...new Set((spec?.hosts ?? []).map((h) => fqdn(h, vs.metadata.namespace)))]) {
      const near = claimsNear(context, host);
      for (const scope of scopes) {
        // Same scope and same host; or, across an exported-everywhere side, hosts that overlap.
        const conflicting = near.filter(
          (claim) =>
            (claim.host === host && claim.scopes.includes(scope)) ||
            (scope !== '*' && claim.scopes.includes('*') && hostsOverlap(claim.host, host)) ||
            (scope === '*' && !claim.scopes.includes('*') && hostsOverlap(claim.host, host)),
        );
        const names = [...new Set([vs, ...conflicting.map((claim) => claim.vs)].map(fullName))].sort();
        if (names.length < 2) continue;
        const scopeOfReport = scope === '*' ? (conflicting.find((claim) => !claim.scopes.includes('*'))?.scopes[0] ?? '*') : scope;
        context.report(
          'IST0109',
          `The VirtualServices ${names.join(',')} associated with mesh gateway define the same host ${scopeOfReport}/${host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.`,
          { path: 'metadata.name' },
        );
        return;
      }
    }
  },
};
