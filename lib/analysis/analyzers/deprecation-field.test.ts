import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { deprecationField } from './deprecation-field';

const delayed = (delay: Record<string, unknown>, apiVersion = 'networking.istio.io/v1') =>
  obj(
    'VirtualService',
    'ledger/api',
    {
      hosts: ['api'],
      http: [{ route: [{ destination: { host: 'api' } }] }, { fault: { delay: { fixedDelay: '1m30s', ...delay } }, route: [{ destination: { host: 'api' } }] }],
    },
    { apiVersion },
  );
const crd = (group: string, kind: string) => obj('CustomResourceDefinition', `${kind.toLowerCase()}s.${group}`, { group, names: { kind } });

describe('deprecation.field', () => {
  it('reports a fault delay given as percent, written through v1alpha3', () => {
    const findings = findingsOf(deprecationField, [delayed({ percent: 10 }, 'networking.istio.io/v1alpha3')]);
    expect(summarize(findings)).toEqual(['IST0002 VirtualService ledger/api spec.http[1].fault.delay.percent']);
    expect(findings[0]!.message).toBe('Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage');
  });

  it('accepts percentage, and a zero percent', () => {
    expect(findingsOf(deprecationField, [delayed({ percentage: { value: 10 } }), delayed({ percent: 0 }, 'networking.istio.io/v1beta1')])).toEqual([]);
  });

  it("reports a Sidecar's egressProxy, not its mode", () => {
    const findings = findingsOf(deprecationField, [
      obj('Sidecar', 'ledger/default', { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY', egressProxy: { host: 'egress.edge.svc.cluster.local' } } }),
      obj('Sidecar', 'billing/default', { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } }, { apiVersion: 'networking.istio.io/v1beta1' }),
    ]);
    expect(summarize(findings)).toEqual(['IST0002 Sidecar ledger/default spec.outboundTrafficPolicy.egressProxy']);
    expect(findings[0]!.message).toBe('Deprecated: OutboundTrafficPolicy.EgressProxy ignored');
  });

  it('reports CRDs of the removed rbac.istio.io API only', () => {
    const findings = findingsOf(deprecationField, [crd('rbac.istio.io', 'ServiceRoleBinding'), crd('security.istio.io', 'AuthorizationPolicy')]);
    expect(summarize(findings)).toEqual(['IST0002 CustomResourceDefinition servicerolebindings.rbac.istio.io spec.names.kind']);
    expect(findings[0]!.message).toBe('Deprecated: Custom resource type rbac.istio.io ServiceRoleBinding is removed');
  });
});
