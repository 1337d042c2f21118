import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { k8sGatewayCrdVersion } from './k8sgateway-crdversion';

const crd = (plural: string, kind: string, bundle: string | undefined, served: string[]) =>
  obj(
    'CustomResourceDefinition',
    `${plural}.gateway.networking.k8s.io`,
    {
      group: 'gateway.networking.k8s.io',
      names: { kind, plural },
      scope: 'Namespaced',
      versions: served.map((name) => ({ name, served: true, storage: name === served[0] })),
    },
    { metadata: bundle ? { annotations: { 'gateway.networking.k8s.io/bundle-version': bundle, 'gateway.networking.k8s.io/channel': 'standard' } } : {} },
  );

describe('k8sgateway.crdversion', () => {
  it('reports a bundle below the minimum Istio watches (IST0176), prerelease ignored in the comparison', () => {
    const findings = findingsOf(k8sGatewayCrdVersion, [
      crd('tlsroutes', 'TLSRoute', 'v1.4.0', ['v1alpha2']),
      crd('backendtlspolicies', 'BackendTLSPolicy', 'v1.4.0-rc.1', ['v1']),
      crd('grpcroutes', 'GRPCRoute', 'v1.0.0', ['v1']),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0176 CustomResourceDefinition grpcroutes.gateway.networking.k8s.io metadata.annotations["gateway.networking.k8s.io/bundle-version"]',
      'IST0176 CustomResourceDefinition tlsroutes.gateway.networking.k8s.io metadata.annotations["gateway.networking.k8s.io/bundle-version"]',
    ]);
    expect(findings[1]!.level).toBe('Warning');
    expect(findings[1]!.message).toBe(
      'Gateway API CRD "tlsroutes.gateway.networking.k8s.io" is at version "1.4.0" but Istio requires at least "1.5.0"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.',
    );
  });

  it('reports served versions older than precheck accepts: no v1beta1 (IST0156 Error), no v1 yet (IST0172 Warning)', () => {
    const findings = findingsOf(k8sGatewayCrdVersion, [
      crd('httproutes', 'HTTPRoute', 'v0.4.3', ['v1alpha2']),
      crd('referencegrants', 'ReferenceGrant', 'v1.1.0', ['v1beta1']),
      crd('gateways', 'Gateway', 'v0.8.1', ['v1beta1']),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0156 CustomResourceDefinition httproutes.gateway.networking.k8s.io spec.versions',
      'IST0172 CustomResourceDefinition gateways.gateway.networking.k8s.io spec.versions',
      'IST0172 CustomResourceDefinition httproutes.gateway.networking.k8s.io spec.versions',
    ]);
    expect(findings[0]!.message).toBe('The Gateway API CRD version v1alpha2 is lower than the minimum version: v1beta1');
    expect(findings[1]!.message).toBe('The Gateway API CRD version v1beta1 is lower than the minimum version: v1');
  });

  it('accepts current bundles, a CRD without the annotation, and CRDs of other groups', () => {
    const findings = findingsOf(k8sGatewayCrdVersion, [
      crd('tlsroutes', 'TLSRoute', 'v1.5.0', ['v1', 'v1alpha2']),
      crd('grpcroutes', 'GRPCRoute', undefined, ['v1']),
      crd('httproutes', 'HTTPRoute', 'v1.3.0', ['v1', 'v1beta1']),
      obj('CustomResourceDefinition', 'virtualservices.networking.istio.io', {
        group: 'networking.istio.io',
        names: { kind: 'VirtualService' },
        versions: [{ name: 'v1', served: true }],
      }),
    ]);
    expect(findings).toEqual([]);
  });
});
