// Two VirtualServices bound to the mesh gateway that claim one host: sidecars merge them in an
// undefined order (Istio's virtualservice.ConflictingMeshGatewayHostsAnalyzer, IST0109).
//
// As Istio: a VirtualService is mesh-bound when it has no `gateways` or lists `mesh`; its hosts
// are scoped by its exportTo (none or `*`: everywhere; otherwise each listed namespace, `.`
// being its own). Two of one scope and one host conflict; a namespace-scoped one also conflicts
// with an exported-everywhere one whose host matches it, wildcards included. Each
// VirtualService is reported once, with the first of its hosts that conflicts.
//
// Istio compares every pair in the cluster; here a check reads only the VirtualServices filed
// under its host and the wildcards that cover it (VIRTUAL_SERVICES_BY_HOST), and, for a
// wildcard host, the mesh-bound ones whose hosts it covers (MESH_HOSTS_BY_COVERING_WILDCARD).
import { K } from '../kinds';
import { fqdn, hostMatches, VIRTUAL_SERVICES_BY_HOST } from '../lookups';
import type { AnalysisObject, Analyzer, IndexDefinition, View } from '../types';
import { boundToMesh, exportScopes, type VirtualServiceSpec } from './virtualservice-routes';

const specOf = (vs: AnalysisObject) => vs.spec as VirtualServiceSpec | undefined;
const fullName = (vs: AnalysisObject) => `${vs.metadata.namespace}/${vs.metadata.name}`;

/** Istio's host.Name.Matches: either side may be a wildcard covering the other. */
export function hostsOverlap(a: string, b: string): boolean {
  return hostMatches(a, b) || hostMatches(b, a);
}

/** The host itself and every wildcard that covers it (`a.b.c` → `*.b.c`, `*.c`, `*`). */
export function coveringWildcards(host: string): string[] {
  const bare = host.startsWith('*') ? host.slice(1) : host;
  const found = [host];
  for (let dot = bare.indexOf('.', 1); dot >= 0; dot = bare.indexOf('.', dot + 1)) found.push(`*${bare.slice(dot)}`);
  if (host !== '*') found.push('*');
  return [...new Set(found)];
}

/** Mesh-bound VirtualServices under every wildcard that covers one of their hosts (`a.b.c` under `*.b.c`, `*.c`, `*`). */
export const MESH_HOSTS_BY_COVERING_WILDCARD: IndexDefinition = {
  id: 'virtualservice.meshhost.coveredby',
  kind: K.VirtualService,
  keys: (vs) => {
    const spec = specOf(vs);
    if (!boundToMesh(spec)) return [];
    const keys = (spec?.hosts ?? []).flatMap((h) => coveringWildcards(fqdn(h, vs.metadata.namespace)).slice(1));
    return [...new Set(keys)];
  },
};

interface Claim {
  vs: AnalysisObject;
  scopes: string[];
  host: string;
}

/** The mesh-bound VirtualServices whose hosts may conflict with `host` (an FQDN or wildcard). */
function claimsNear(view: View, host: string): Claim[] {
  const claims: Claim[] = [];
  const file = (vs: AnalysisObject, wanted: (theirs: string) => boolean) => {
    const spec = specOf(vs);
    if (!boundToMesh(spec)) return;
    const scopes = exportScopes(spec?.exportTo, vs.metadata.namespace);
    for (const written of spec?.hosts ?? []) {
      const theirs = fqdn(written, vs.metadata.namespace);
      if (wanted(theirs)) claims.push({ vs, scopes, host: theirs });
    }
  };
  for (const candidate of coveringWildcards(host)) {
    for (const vs of view.lookup(VIRTUAL_SERVICES_BY_HOST.id, candidate)) file(vs, (theirs) => theirs === candidate);
  }
  if (host.startsWith('*')) {
    for (const vs of view.lookup(MESH_HOSTS_BY_COVERING_WILDCARD.id, host)) file(vs, (theirs) => theirs !== host && hostMatches(host, theirs));
  }
  return claims;
}

export const virtualServiceConflictingMeshGatewayHosts: Analyzer = {
  id: 'virtualservice.conflictingmeshgatewayhosts',
  description: 'VirtualServices bound to the mesh gateway do not define the same host',
  kinds: [K.VirtualService],
  codes: ['IST0109'],
  indexes: [VIRTUAL_SERVICES_BY_HOST, MESH_HOSTS_BY_COVERING_WILDCARD],
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
