// Gateway API CRDs too old for this Istio. IST0176 (Istio's k8sgateway.CRDVersionAnalyzer): the
// CRD's `gateway.networking.k8s.io/bundle-version` is below the minimum Istio 1.30 watches
// (pkg/config/schema/gatewayapi MinimumCRDVersions), so istiod ignores that kind entirely.
// IST0156 and IST0172 are `istioctl x precheck`'s checks on the served versions: Gateway,
// GatewayClass, HTTPRoute and ReferenceGrant must serve v1beta1 (Error), and Gateway,
// GatewayClass, HTTPRoute and GRPCRoute will need v1 (Warning).
import { K } from '../kinds';
import type { Analyzer } from '../types';

const GROUP = 'gateway.networking.k8s.io';
const BUNDLE_VERSION = 'gateway.networking.k8s.io/bundle-version';

type Version = [number, number, number];
const MINIMUM_BUNDLE_VERSIONS: Record<string, Version> = {
  'grpcroutes.gateway.networking.k8s.io': [1, 1, 0],
  'backendtlspolicies.gateway.networking.k8s.io': [1, 4, 0],
  'tlsroutes.gateway.networking.k8s.io': [1, 5, 0],
};
const NEEDS_V1BETA1 = new Set(['Gateway', 'GatewayClass', 'HTTPRoute', 'ReferenceGrant']);
const NEEDS_V1 = new Set(['Gateway', 'GatewayClass', 'HTTPRoute', 'GRPCRoute']);

/** A version as Masterminds/semver reads it loosely (`v1.2`, `1.2.0-rc1`), with its printed form; undefined when it does not parse. */
function parseVersion(text: string): { core: Version; printed: string } | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(text.trim());
  if (!m) return undefined;
  const core: Version = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  return { core, printed: `${core.join('.')}${m[4] ? `-${m[4]}` : ''}${m[5] ? `+${m[5]}` : ''}` };
}

const lessThan = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

interface CrdSpec {
  group?: string;
  names?: { kind?: string };
  versions?: { name?: string; served?: boolean }[];
}

export const k8sGatewayCrdVersion: Analyzer = {
  id: 'k8sgateway.crdversion',
  description: 'Checks Gateway API CRDs are at the minimum version required by this Istio version',
  kinds: [K.CustomResourceDefinition],
  codes: ['IST0156', 'IST0172', 'IST0176'],
  check(crd, context) {
    const name = crd.metadata.name;
    const minimum = MINIMUM_BUNDLE_VERSIONS[name];
    const bundle = crd.metadata.annotations?.[BUNDLE_VERSION];
    const installed = minimum && bundle !== undefined ? parseVersion(bundle) : undefined;
    if (minimum && installed && lessThan(installed.core, minimum) < 0) {
      context.report(
        'IST0176',
        `Gateway API CRD "${name}" is at version "${installed.printed}" but Istio requires at least "${minimum.join('.')}"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.`,
        { path: `metadata.annotations["${BUNDLE_VERSION}"]` },
      );
    }
    const spec = (crd.spec ?? {}) as CrdSpec;
    if (spec.group !== GROUP) return;
    const served = [...new Set((spec.versions ?? []).filter((v) => v.served && v.name).map((v) => v.name!))].sort();
    const has = served.length ? served.join(',') : 'none';
    const kind = spec.names?.kind ?? '';
    if (NEEDS_V1BETA1.has(kind) && !served.includes('v1beta1')) {
      context.report('IST0156', `The Gateway API CRD version ${has} is lower than the minimum version: v1beta1`, { path: 'spec.versions' });
    }
    if (NEEDS_V1.has(kind) && !served.includes('v1')) {
      context.report('IST0172', `The Gateway API CRD version ${has} is lower than the minimum version: v1`, { path: 'spec.versions' });
    }
  },
};
