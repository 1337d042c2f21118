import { describe, expect, it } from 'vitest';
import { effectiveConfig, parseConfigMaps } from '@/lib/config/schema';
import { evaluateSlos, sloQuery } from './slo';

const loaded = parseConfigMaps(
  [
    {
      metadata: { namespace: 'shop', name: 'm', labels: { 'meshdeck.io/config': 'true' } },
      data: {
        'meshdeck.yaml':
          'slos: [{sli: availability, objective: 0.999}, {sli: latency, objective: 2000}, {sli: errorRate, objective: 0.001}, {sli: throughput, objective: 1000}, {sli: latency, quantile: 0.5, objective: 100, service: cart}]',
      },
    },
    {
      metadata: { namespace: 'istio-system', name: 'm', labels: { 'meshdeck.io/config': 'true' } },
      data: { 'meshdeck.yaml': 'slos: [{sli: availability, objective: 0.99, name: Mesh availability}]' },
    },
  ],
  'istio-system',
);
const sample = (kpi: string, value: number, labels: Record<string, string> = {}) => ({ metric: { kpi, ...labels }, value });

describe('SLO query', () => {
  it('asks nothing when no SLO is configured', () => {
    expect(sloQuery([])).toBeUndefined();
  });

  it('computes each SLI once per granularity, batched with sum by, naming namespaces but never services', () => {
    const query = sloQuery(effectiveConfig(loaded).slos)!;
    expect(query).toContain('sum by () (rate(istio_requests_total{reporter="destination"}[5m]))');
    expect(query).toContain(
      'sum by (destination_service_namespace) (rate(istio_requests_total{reporter="destination",destination_service_namespace=~"shop"}[1h]))',
    );
    expect(query).toContain('histogram_quantile(0.5, sum by (destination_service_namespace, destination_service_name, le)');
    expect(query).not.toContain('cart');
    // Error ratios at 5m, 1h, 6h for the mesh and the namespace; P99 and throughput for the namespace; P50 per service.
    expect(query.match(/label_replace\(/g)).toHaveLength(9);
  });
});

describe('SLO evaluation', () => {
  const slos = effectiveConfig(loaded).slos;
  const shop = { destination_service_namespace: 'shop' };
  const results = evaluateSlos(slos, [
    sample('errors:mesh:5m', 0.02),
    sample('errors:mesh:1h', 0.01),
    sample('errors:namespace:5m', 0.0005, shop),
    sample('errors:namespace:1h', 0.002, shop),
    sample('errors:namespace:6h', 0.0001, shop),
    sample('latency:namespace:0.99', 2500, shop),
    sample('rps:namespace', 1200, shop),
    sample('latency:service:0.5', 40, { ...shop, destination_service_name: 'cart' }),
    sample('latency:service:0.5', 900, { ...shop, destination_service_name: 'other' }),
  ]);

  it('reads each SLO from its own scope and judges it', () => {
    expect(results.map((r) => [r.name, r.scope, r.objective, r.value, r.met])).toEqual([
      ['Mesh availability', 'mesh', '> 99%', 0.98, false],
      ['Availability', 'shop', '> 99.9%', 0.9995, true],
      ['Latency P99', 'shop', '< 2000 ms', 2500, false],
      ['Error rate', 'shop', '< 0.1%', 0.0005, true],
      ['Throughput', 'shop', '> 1000 RPS', 1200, true],
      ['Latency P50', 'shop/cart', '< 100 ms', 40, true],
    ]);
  });

  it('burns the error budget relative to the objective, and says when a window has no data', () => {
    expect(results[0]).toMatchObject({ burn1h: expect.closeTo(1, 6), burn6h: null });
    expect(results[1]).toMatchObject({ burn1h: expect.closeTo(2, 6), burn6h: expect.closeTo(0.1, 6) });
    expect(results[3]).toMatchObject({ burn1h: expect.closeTo(2, 6) });
  });

  it('has no verdict without data (no traffic is not a breach)', () => {
    expect(evaluateSlos(slos, []).map((r) => [r.value, r.met])).toEqual(slos.map(() => [null, null]));
  });
});
