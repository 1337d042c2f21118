import { describe, expect, it } from 'vitest';
import { securityLivePromql, securityLiveRows } from './security';

describe('the Security page live numbers', () => {
  it('asks once, grouped by namespace and service, scoped when a namespace is selected', () => {
    const all = securityLivePromql();
    expect(all.match(/istio_requests_total/g)).toHaveLength(2);
    expect(all).toContain('sum by (destination_service_namespace, destination_service_name, connection_security_policy)');
    expect(all).not.toContain('destination_service_namespace="');
    expect(securityLivePromql('bookinfo')).toContain('destination_service_namespace="bookinfo"');
  });

  it('keeps same-named services of two namespaces apart', () => {
    const m = (ns: string, kpi: string, extra: Record<string, string> = {}) => ({
      destination_service_namespace: ns,
      destination_service_name: 'reviews',
      kpi,
      ...extra,
    });
    const rows = securityLiveRows([
      { metric: m('shop', 'security', { connection_security_policy: 'mutual_tls' }), value: 3 },
      { metric: m('shop', 'security', { connection_security_policy: 'none' }), value: 1 },
      { metric: m('bookinfo', 'security', { connection_security_policy: 'mutual_tls' }), value: 5 },
      { metric: m('bookinfo', 'limited'), value: 0.5 },
    ]);
    expect(rows).toEqual([
      { namespace: 'bookinfo', service: 'reviews', mutualTls: 5, plaintext: 0, rateLimited: 0.5 },
      { namespace: 'shop', service: 'reviews', mutualTls: 3, plaintext: 1, rateLimited: 0 },
    ]);
  });
});
