import { describe, expect, it } from 'vitest';
import { alertNamespace, namespaceRedRows, overviewPromql } from './overview';

describe('overviewPromql', () => {
  it('asks once for rate, errors and P99 of every namespace, grouped by destination namespace', () => {
    const promql = overviewPromql();
    expect(promql.match(/label_replace/g)).toHaveLength(3);
    expect(promql).toContain('sum by (destination_service_namespace) (rate(istio_requests_total{reporter="destination"}[5m]))');
    expect(promql).not.toContain('destination_service_namespace="');
  });

  it('narrows to one namespace when one is selected', () => {
    expect(overviewPromql('sh"op')).toContain('destination_service_namespace="sh\\"op"');
  });
});

describe('namespaceRedRows', () => {
  it('folds the parts into a row per namespace with traffic; no 5xx series reads 0, no latency reads null', () => {
    const m = (kpi: string, ns: string) => ({ kpi, destination_service_namespace: ns });
    expect(
      namespaceRedRows([
        { metric: m('rate', 'a'), value: 10 },
        { metric: m('errors', 'a'), value: 0.5 },
        { metric: m('p99', 'a'), value: 120 },
        { metric: m('rate', 'b'), value: 1 },
        { metric: m('p99', 'b'), value: Number.NaN },
      ]),
    ).toEqual([
      { namespace: 'a', rate: 10, errorRatio: 0.5, p99: 120 },
      { namespace: 'b', rate: 1, errorRatio: 0, p99: null },
    ]);
  });
});

describe('alertNamespace', () => {
  it("reads Istio's destination namespace, else a namespace label", () => {
    expect(alertNamespace({ labels: { destination_service_namespace: 'a', namespace: 'b' } })).toBe('a');
    expect(alertNamespace({ labels: { namespace: 'b' } })).toBe('b');
    expect(alertNamespace({ labels: {} })).toBeUndefined();
  });
});
