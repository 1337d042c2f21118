import { describe, expect, it } from 'vitest';
import { clusterDenial, type ClusterAccess } from './cluster-denial';

const access: ClusterAccess = {
  impersonating: true,
  user: 'rita@example.com',
  namespaces: { shop: { VirtualService: ['list'], DestinationRule: ['list', 'patch'] }, payments: { VirtualService: ['list', 'patch'] } },
};

describe('cluster denial', () => {
  it('says which verb on which kind the cluster withholds, in the namespace asked about', () => {
    expect(clusterDenial(access, 'traffic:write', 'shop')).toBe(
      "The cluster's RBAC does not let rita@example.com patch VirtualService objects in namespace shop.",
    );
    expect(clusterDenial(access, 'traffic:write', 'payments')).toBeUndefined();
    expect(clusterDenial(access, 'resilience:write', 'shop')).toBeUndefined();
    expect(clusterDenial(access, 'traffic:write', 'hidden')).toMatch(/in namespace hidden/);
  });
  it('without a namespace, refuses only what no visible namespace allows', () => {
    expect(clusterDenial(access, 'traffic:write')).toBeUndefined();
    expect(clusterDenial(access, 'emergency')).toBe(
      "The cluster's RBAC does not let rita@example.com create PeerAuthentication objects in any namespace you can see.",
    );
    expect(clusterDenial({ ...access, namespaces: {} }, 'traffic:write')).toMatch(/in any namespace you can see/);
  });
  it('leaves the decision to Meshdeck’s roles without impersonation, or while the answer loads', () => {
    expect(clusterDenial({ ...access, impersonating: false }, 'emergency')).toBeUndefined();
    expect(clusterDenial(undefined, 'emergency')).toBeUndefined();
    expect(clusterDenial(access, 'read', 'hidden')).toBeUndefined();
  });
});
