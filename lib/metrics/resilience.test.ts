import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  breakerQuery,
  breakerRows,
  ENVOY_STATS,
  envoyClusterSelector,
  envoyStatsNotice,
  envoyStatsState,
  MESH_WIDE_SETTING,
  POD_ANNOTATION_SETTING,
  PROXY_STATS_REGEXPS,
} from './resilience';
import { split } from './promql';

const s = (kpi: string, value: number, labels: Record<string, string> = {}) => ({ metric: { kpi, ...labels }, value });
const present = (...names: string[]) => names.map((name) => s('present', 12, { metric: name, __name__: name }));
const ALL = Object.values(ENVOY_STATS);

describe('Envoy stats detection', () => {
  it("asks Prometheus, in the table's one query, which Envoy stats exist at all", () => {
    const query = breakerQuery('shop');
    expect(query).toContain(`count by (__name__) ({__name__=~"${ALL.join('|')}"})`);
    expect(query).toContain(`${ENVOY_STATS.ejectionsActive}{cluster_name=~"outbound\\\\|[0-9]+\\\\|[^|]*\\\\|[^.]+\\\\.shop\\\\..*"}`);
    expect(query.match(/ or label_replace\(/g)).toHaveLength(4);
  });

  it('matches the clusters of one namespace by cluster_name', () => {
    const re = new RegExp(`^${JSON.parse(envoyClusterSelector('shop').slice('{cluster_name=~'.length, -1)) as string}$`);
    expect(re.test('outbound|8080|canary|cart.shop.svc.cluster.local')).toBe(true);
    expect(re.test('outbound|8080||cart.blog.svc.cluster.local')).toBe(false);
    expect(re.test('inbound|8080||')).toBe(false);
    expect(envoyClusterSelector()).toBe('');
  });

  it('tells "not exported" (no series at all) from zero', () => {
    const absent = envoyStatsState(split([s('flags', 0.5, { destination_service_name: 'cart', response_flags: 'UH' })]));
    expect(absent.missing).toEqual(ALL);
    expect(absent.notice?.summary).toContain(
      `Prometheus has no series of ${ENVOY_STATS.ejectionsActive}, ${ENVOY_STATS.ejectionsEnforced}, ${ENVOY_STATS.retries}`,
    );
    expect(absent.notice?.summary).toContain('unknown, not zero');

    const zero = envoyStatsState(
      split([
        ...present(...ALL),
        s('ejected', 0, { destination_service_name: 'cart' }),
        s('ejections', 0, { destination_service_name: 'cart' }),
        s('retries', 0, { destination_service_name: 'cart' }),
      ]),
    );
    expect(zero).toEqual({ missing: [], missingInScope: [], notice: undefined });
    expect(breakerRows(split([s('ejected', 0, { destination_service_name: 'cart' })]), zero)[0]).toMatchObject({
      namespace: '',
      service: 'cart',
      ejectedHosts: 0,
      ejectionsTotal: 0,
      retriesPerSecond: 0,
      tripped: false,
    });
  });

  it('says when the stats exist but not for the services in view', () => {
    const state = envoyStatsState(split(present(...ALL)), 'blog');
    expect(state.missing).toEqual([]);
    expect(state.missingInScope).toEqual([ENVOY_STATS.ejectionsActive, ENVOY_STATS.ejectionsEnforced, ENVOY_STATS.retries]);
    expect(state.notice?.summary).toMatch(
      /exist in Prometheus, but none for the services of blog: the pods that call them \(or the ingress gateway\) do not export them/,
    );
  });

  it('does not complain about a stat the page does not read', () => {
    expect(envoyStatsNotice([ENVOY_STATS.pendingOverflow], [])).toBeUndefined();
  });
});

describe('the message for missing Envoy stats', () => {
  const notice = envoyStatsNotice(ALL, [])!;

  it('gives the mesh-wide setting as an IstioOperator', () => {
    expect(notice.meshWide).toBe(MESH_WIDE_SETTING);
    const operator = parse(MESH_WIDE_SETTING) as {
      apiVersion: string;
      kind: string;
      spec: { meshConfig: { defaultConfig: { proxyStatsMatcher: { inclusionRegexps: string[] } } } };
    };
    expect([operator.apiVersion, operator.kind]).toEqual(['install.istio.io/v1alpha1', 'IstioOperator']);
    expect(operator.spec.meshConfig.defaultConfig.proxyStatsMatcher.inclusionRegexps).toEqual([
      '.*outlier_detection.*',
      '.*upstream_rq_retry.*',
      '.*upstream_rq_pending_overflow.*',
    ]);
  });

  it('gives the per-pod proxy.istio.io/config annotation', () => {
    expect(notice.podAnnotation).toBe(POD_ANNOTATION_SETTING);
    const deployment = parse(POD_ANNOTATION_SETTING) as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    const proxyConfig = parse(deployment.spec.template.metadata.annotations['proxy.istio.io/config']!) as { proxyStatsMatcher: { inclusionRegexps: string[] } };
    expect(proxyConfig.proxyStatsMatcher.inclusionRegexps).toEqual(PROXY_STATS_REGEXPS);
  });

  it("says what the page shows instead, from Istio's standard metrics", () => {
    expect(notice.fallback).toMatch(/UO.*UH.*UT.*URX.*istio_requests_total/);
  });
});

describe('breaker rows', () => {
  const missing = envoyStatsState(split([]));

  it('shows unknown (null), never 0, for what Envoy does not export, and trips on UO or UH', () => {
    const rows = breakerRows(
      split([
        s('flags', 0.2, { destination_service_name: 'cart', response_flags: 'UH,URX' }),
        s('flags', 0.1, { destination_service_name: 'cart', response_flags: 'URX' }),
        s('flags', 0.3, { destination_service_name: 'pay', response_flags: 'UT' }),
      ]),
      missing,
    );
    expect(rows).toEqual([
      {
        namespace: '',
        service: 'cart',
        ejectedHosts: null,
        ejectionsTotal: null,
        retriesPerSecond: null,
        overflowsPerSecond: 0,
        noHealthyUpstreamPerSecond: 0.2,
        timeoutsPerSecond: 0,
        retriesExhaustedPerSecond: expect.closeTo(0.3, 6),
        failuresByFlag: { 'UH,URX': 0.2, URX: 0.1 },
        tripped: true,
      },
      {
        namespace: '',
        service: 'pay',
        ejectedHosts: null,
        ejectionsTotal: null,
        retriesPerSecond: null,
        overflowsPerSecond: 0,
        noHealthyUpstreamPerSecond: 0,
        timeoutsPerSecond: 0.3,
        retriesExhaustedPerSecond: 0,
        failuresByFlag: { UT: 0.3 },
        tripped: false,
      },
    ]);
  });

  it('adds up Envoy counters by service when they are exported', () => {
    const state = envoyStatsState(
      split([
        ...present(...ALL),
        s('ejected', 1, { destination_service_name: 'cart' }),
        s('ejections', 4, { destination_service_name: 'cart' }),
        s('retries', 0.5, { destination_service_name: 'cart' }),
      ]),
    );
    const rows = breakerRows(
      split([
        s('ejected', 1, { destination_service_name: 'cart' }),
        s('ejections', 4, { destination_service_name: 'cart' }),
        s('retries', 0.5, { destination_service_name: 'cart' }),
      ]),
      state,
    );
    expect(rows[0]).toMatchObject({ ejectedHosts: 1, ejectionsTotal: 4, retriesPerSecond: 0.5, tripped: true });
  });

  it("keeps same-named services of two namespaces apart, from the namespace in Envoy's cluster_name and in istio_requests_total", () => {
    const state = envoyStatsState(split(present(...ALL)));
    const rows = breakerRows(
      split([
        s('ejected', 1, { destination_service_namespace: 'shop', destination_service_name: 'cart' }),
        s('ejected', 0, { destination_service_namespace: 'blog', destination_service_name: 'cart' }),
        s('flags', 0.4, { destination_service_namespace: 'blog', destination_service_name: 'cart', response_flags: 'UO' }),
      ]),
      state,
    );
    expect(rows.map((r) => [r.namespace, r.service, r.ejectedHosts, r.overflowsPerSecond, r.tripped])).toEqual([
      ['blog', 'cart', 0, 0.4, true],
      ['shop', 'cart', 1, 0, true],
    ]);
  });

  it('reads the namespace and the service out of cluster_name, and groups the response flags by namespace too', () => {
    const query = breakerQuery();
    expect(query).toContain(
      'sum by (destination_service_namespace, destination_service_name) (label_replace(label_replace(envoy_cluster_outlier_detection_ejections_active, "destination_service_name", "$1", "cluster_name"',
    );
    expect(query).toContain('"destination_service_namespace", "$2", "cluster_name"');
    expect(query).toContain(
      'sum by (destination_service_namespace, destination_service_name, response_flags) (rate(istio_requests_total{reporter="source",response_code=~"50[34]"}[1m]))',
    );
    const host = /"cluster_name", "(outbound[^"]+)"/.exec(query)![1]!;
    const re = new RegExp(`^${JSON.parse(`"${host}"`) as string}$`);
    expect(re.exec('outbound|9080|v2|reviews.bookinfo.svc.cluster.local')?.slice(1)).toEqual(['reviews', 'bookinfo']);
  });
});
