import { describe, expect, it } from 'vitest';
import type { DestinationRule } from '@/lib/mesh/types';
import {
  SPARKLINE,
  compareWithStable,
  destinationLive,
  foldTrafficLive,
  indexLive,
  routeRoles,
  subsetVersion,
  trafficLivePromql,
  trafficSparklinePromql,
  type LiveNumbers,
} from './traffic-live';

const metric = (namespace: string, service: string, kpi: string, version?: string) => ({
  destination_service_namespace: namespace,
  destination_service_name: service,
  kpi,
  ...(version === undefined ? {} : { destination_version: version }),
});

const rule = (namespace: string, host: string, subsets: { name: string; labels?: Record<string, string> }[]): DestinationRule =>
  ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: host, namespace, resourceVersion: '1' },
    spec: { host, subsets },
  }) as DestinationRule;

const START = 1_000_000;

describe('the Traffic page live numbers', () => {
  it('asks Prometheus twice for the whole page: one instant query by version and by service, one range query', () => {
    const instant = trafficLivePromql();
    expect(instant).toContain(
      'sum by (destination_service_namespace, destination_service_name, destination_version) (rate(istio_requests_total{reporter="destination"}[5m]))',
    );
    expect(instant).toContain('histogram_quantile(0.99, sum by (destination_service_namespace, destination_service_name, destination_version, le)');
    expect(instant).toContain('sum by (destination_service_namespace, destination_service_name) (rate(istio_requests_total{reporter="destination"}[5m]))');
    expect(instant.match(/label_replace/g)).toHaveLength(6);
    expect(instant).not.toContain('destination_service_namespace="');
    expect(trafficLivePromql('bookinfo')).toContain('destination_service_namespace="bookinfo"');
    expect(trafficSparklinePromql('bookinfo')).toBe(
      'sum by (destination_service_namespace, destination_service_name, destination_version) (rate(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo"}[2m]))',
    );
  });

  it('reads the version a subset selects from its labels, else its name', () => {
    expect(subsetVersion({ name: 'stable', labels: { version: 'v1' } })).toBe('v1');
    expect(subsetVersion({ name: 'next', labels: { 'app.kubernetes.io/version': '2.0' } })).toBe('2.0');
    expect(subsetVersion({ name: 'v3', labels: { track: 'x' } })).toBe('v3');
  });

  it('folds both answers per service and version, maps subsets to versions, and finds each destination', () => {
    const live = foldTrafficLive(
      [
        { metric: metric('shop', 'reviews', 'rate', 'v1'), value: 9 },
        { metric: metric('shop', 'reviews', 'rate', 'v2'), value: 1 },
        { metric: metric('shop', 'reviews', 'errors', 'v1'), value: 0.01 },
        { metric: metric('shop', 'reviews', 'errors', 'v2'), value: 0.2 },
        { metric: metric('shop', 'reviews', 'p99', 'v1'), value: 120 },
        { metric: metric('shop', 'reviews', 'p99', 'v2'), value: NaN },
        { metric: metric('shop', 'reviews', 'service:rate'), value: 10 },
        { metric: metric('shop', 'reviews', 'service:errors'), value: 0.029 },
        { metric: metric('shop', 'reviews', 'service:p99'), value: 150 },
        // Another namespace's same-named service stays apart.
        { metric: metric('other', 'reviews', 'rate', 'v1'), value: 4 },
        // A ratio without a rate (no requests in the window) makes no entry.
        { metric: metric('shop', 'ghost', 'errors', 'v1'), value: 0 },
      ],
      [
        {
          metric: metric('shop', 'reviews', '', 'v1'),
          values: [
            [START, 8],
            [START + SPARKLINE.step, 9],
          ],
        },
        { metric: metric('shop', 'reviews', '', 'v2'), values: [[START + SPARKLINE.step, 1]] },
      ],
      [
        rule('shop', 'reviews', [
          { name: 'stable', labels: { version: 'v1' } },
          { name: 'canary', labels: { version: 'v2' } },
        ]),
        rule('shop', 'ratings', [{ name: 'v1' }]),
      ],
      START,
    );
    expect(live.services.map((s) => `${s.namespace}/${s.service}`)).toEqual(['shop/reviews', 'other/reviews']);
    const index = indexLive(live);
    const shop = index.get('reviews.shop')!;
    expect(shop.subsets).toEqual({ stable: 'v1', canary: 'v2' });
    expect(shop.versions.v2).toMatchObject({ rps: 1, errorRatio: 0.2, p99: null });
    expect(shop.versions.v1!.spark.slice(0, 3)).toEqual([8, 9, 0]);
    expect(shop.total.spark.slice(0, 2)).toEqual([8, 10]);
    expect(shop.total.spark).toHaveLength(SPARKLINE.seconds / SPARKLINE.step + 1);

    expect(destinationLive(index, 'shop', { host: 'reviews', subset: 'canary' })).toMatchObject({ version: 'v2', numbers: { rps: 1 } });
    expect(destinationLive(index, 'any', { host: 'reviews.shop.svc.cluster.local', subset: 'stable' })).toMatchObject({ version: 'v1', numbers: { rps: 9 } });
    expect(destinationLive(index, 'shop', { host: 'reviews' }).numbers).toMatchObject({ rps: 10, errorRatio: 0.029, p99: 150 });
    // A subset of a service with traffic that got none, and a service without any.
    expect(destinationLive(index, 'shop', { host: 'reviews', subset: 'v3' })).toEqual({
      version: 'v3',
      numbers: { rps: 0, errorRatio: null, p99: null, spark: [] },
    });
    expect(destinationLive(index, 'shop', { host: 'ratings', subset: 'v1' })).toEqual({ version: 'v1', numbers: null });
  });

  it('marks a canary worse or better than stable only by a clear margin', () => {
    const n = (rps: number, errorRatio: number | null, p99: number | null): LiveNumbers => ({ rps, errorRatio, p99, spark: [] });
    const stable = n(10, 0.005, 100);
    expect(compareWithStable(n(1, 0.05, 100), stable)).toBe('worse');
    expect(compareWithStable(n(1, 0.005, 130), stable)).toBe('worse');
    expect(compareWithStable(n(1, 0.01, 110), stable)).toBe('same');
    expect(compareWithStable(n(1, 0, 70), stable)).toBe('better');
    expect(compareWithStable(n(1, 0.002, 50), n(10, 0.03, 100))).toBe('better');
    expect(compareWithStable(n(0, null, null), stable)).toBe('unknown');
    expect(compareWithStable(n(1, 0, 10), null)).toBe('unknown');
    // 20 % of a 10 ms P99 is within the 5 ms floor.
    expect(compareWithStable(n(1, 0, 14), n(10, 0, 10))).toBe('same');
  });

  it('compares with the stable destination and finds the canary by the one rule, on versions or subset names', () => {
    expect(routeRoles([{ subset: 'stable' }, { subset: 'canary' }], '.*canary.*')).toEqual({ stable: 0, canary: 1 });
    expect(
      routeRoles(
        [
          { subset: 'v1', version: 'v1' },
          { subset: 'v2', version: 'v2-rc' },
        ],
        '.*-rc',
      ),
    ).toEqual({ stable: 0, canary: 1 });
    expect(routeRoles([{ subset: 'v1' }, { subset: 'v2' }, { subset: 'v3' }], '.*canary.*')).toEqual({ stable: 0, canary: -1 });
    expect(routeRoles([{ subset: 'canary' }, { subset: 'main' }], '.*canary.*')).toEqual({ stable: 1, canary: 0 });
  });
});
