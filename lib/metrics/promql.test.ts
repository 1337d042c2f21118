import { describe, expect, it } from 'vitest';
import { combine, errorRatio, latencyQuantile, requestRate, selector, split } from './promql';

describe('PromQL builders', () => {
  it('select by reporter, direction, namespace and service', () => {
    expect(selector({ namespace: 'shop' })).toBe('{reporter="destination",destination_service_namespace="shop"}');
    expect(selector({ service: 'cart', direction: 'outbound' })).toBe('{reporter="source",source_app="cart"}');
    expect(selector({ service: 'a"b' })).toBe('{reporter="destination",destination_service_name="a\\"b"}');
  });

  it('batch every service into one expression with sum by', () => {
    expect(requestRate({ namespace: 'shop' }, '1m', ['destination_service_name'])).toBe(
      'sum by (destination_service_name) (rate(istio_requests_total{reporter="destination",destination_service_namespace="shop"}[1m]))',
    );
    expect(latencyQuantile(0.99, {}, '5m', ['destination_service_name'])).toBe(
      'histogram_quantile(0.99, sum by (destination_service_name, le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination"}[5m])))',
    );
    expect(errorRatio({}, '5m', ['destination_version'])).toContain('response_code=~"5.."');
  });

  it('combines a panel into one query and splits it back', () => {
    const query = combine({ rate: 'sum(x)', p99: 'sum(y)' });
    expect(query).toBe('label_replace(sum(x), "kpi", "rate", "", "") or label_replace(sum(y), "kpi", "p99", "", "")');
    expect(split([{ metric: { kpi: 'rate', s: 'a' } }, { metric: { kpi: 'p99', s: 'a' } }, { metric: { kpi: 'rate', s: 'b' } }])).toEqual({
      rate: [{ metric: { kpi: 'rate', s: 'a' } }, { metric: { kpi: 'rate', s: 'b' } }],
      p99: [{ metric: { kpi: 'p99', s: 'a' } }],
    });
  });
});
