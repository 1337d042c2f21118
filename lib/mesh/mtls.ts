// Effective mutual TLS, resolved the way istiod resolves PeerAuthentication: a workload
// policy's port setting, then the workload policy, then the namespace policy, then the
// mesh-wide policy in the root namespace; UNSET inherits; the default is PERMISSIVE.
import type { MtlsMode, PeerAuthentication } from './security-types';
import { labelsMatch, selectorMatches } from './selectors';
import type { DestinationRule } from './types';

export interface Workload {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ports: number[];
}

export interface ResolvedMode {
  mode: Exclude<MtlsMode, 'UNSET'>;
  /** Which policy decided, e.g. "PeerAuthentication shop/default", or "Istio default". */
  source: string;
}

export interface WorkloadMtls {
  workload: Workload;
  mode: ResolvedMode;
  ports: { port: number; mode: ResolvedMode }[];
}

const oldestFirst = (a: PeerAuthentication, b: PeerAuthentication) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name);
const describe = (pa: PeerAuthentication) => `PeerAuthentication ${pa.metadata.namespace}/${pa.metadata.name}`;

/** The mesh-wide and namespace-wide modes (policies without a selector). */
export function scopeMode(policies: PeerAuthentication[], rootNamespace: string, namespace?: string): ResolvedMode {
  const wide = (ns: string) => policies.filter((p) => p.metadata.namespace === ns && !p.spec.selector?.matchLabels).sort(oldestFirst)[0];
  const candidates = [namespace ? wide(namespace) : undefined, wide(rootNamespace)];
  for (const pa of candidates) {
    const mode = pa?.spec.mtls?.mode;
    if (pa && mode && mode !== 'UNSET') return { mode, source: describe(pa) };
  }
  return { mode: 'PERMISSIVE', source: 'Istio default (no PeerAuthentication)' };
}

/** The effective mode of a workload and of each of its ports. */
export function workloadMode(policies: PeerAuthentication[], rootNamespace: string, workload: Workload): WorkloadMtls {
  const inherited = scopeMode(policies, rootNamespace, workload.namespace);
  // Istio applies the oldest workload policy when several select the same workload.
  const own = policies
    .filter((p) => p.metadata.namespace === workload.namespace && p.spec.selector?.matchLabels && selectorMatches(p.spec.selector, workload.labels))
    .sort(oldestFirst)[0];
  const ownMode = own?.spec.mtls?.mode;
  const mode: ResolvedMode = own && ownMode && ownMode !== 'UNSET' ? { mode: ownMode, source: describe(own) } : inherited;
  const ports = workload.ports.map((port) => {
    const portMode = own?.spec.portLevelMtls?.[String(port)]?.mode;
    return { port, mode: own && portMode && portMode !== 'UNSET' ? { mode: portMode, source: `${describe(own)} (port ${port})` } : mode };
  });
  return { workload, mode, ports };
}

export interface TlsConflict {
  host: string;
  destinationRule: string;
  message: string;
}

/**
 * DestinationRules whose client TLS setting contradicts the servers' mode: plaintext to a
 * STRICT workload is refused; Istio mTLS to a workload with mTLS disabled fails the handshake.
 */
export function tlsConflicts(rules: DestinationRule[], workloads: WorkloadMtls[], serviceSelectors: Map<string, Record<string, string>>): TlsConflict[] {
  const conflicts: TlsConflict[] = [];
  for (const rule of rules) {
    const clientMode = (rule.spec.trafficPolicy as { tls?: { mode?: string } } | undefined)?.tls?.mode;
    if (!clientMode) continue;
    const service = rule.spec.host.split('.')[0]!;
    const namespace = rule.spec.host.split('.')[1] ?? rule.metadata.namespace;
    const selector = serviceSelectors.get(`${namespace}/${service}`);
    if (!selector) continue;
    const servers = workloads.filter((w) => w.workload.namespace === namespace && labelsMatch(selector, w.workload.labels));
    const name = `DestinationRule ${rule.metadata.namespace}/${rule.metadata.name}`;
    if (clientMode === 'DISABLE' && servers.some((w) => w.mode.mode === 'STRICT')) {
      conflicts.push({
        host: rule.spec.host,
        destinationRule: name,
        message: `${name} sends plaintext (tls.mode DISABLE) to ${service}, whose workloads require mTLS (STRICT): requests fail`,
      });
    }
    if (clientMode === 'ISTIO_MUTUAL' && servers.some((w) => w.mode.mode === 'DISABLE')) {
      conflicts.push({
        host: rule.spec.host,
        destinationRule: name,
        message: `${name} sends Istio mTLS to ${service}, whose workloads have mTLS disabled: the handshake fails`,
      });
    }
  }
  return conflicts;
}
