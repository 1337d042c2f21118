// The KPI panels' use of the mesh's configuration, with Prometheus replaced by canned answers.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { effectiveConfig, parseConfigMaps, type LoadedConfig } from '@/lib/config/schema';
import type { Alert, Sample } from './prometheus';

const prometheus = vi.hoisted(() => ({ queries: [] as string[], answer: (_q: string): Sample[] => [], alerts: [] as Alert[] }));
vi.mock('./prometheus', () => ({
  instantQuery: async (q: string) => (prometheus.queries.push(q), prometheus.answer(q)),
  rangeQuery: async () => [],
  alerts: async () => prometheus.alerts,
}));
const { alertsPanel, businessKpis, businessPanel, canaryComparisons, canaryPanel, judgeCanary, kpiPage, servicesPanel, sloPanel } = await import('./kpis');

const configured = (namespace: string, doc: unknown): LoadedConfig =>
  parseConfigMaps(
    [{ metadata: { namespace, name: 'meshdeck', labels: { 'meshdeck.io/config': 'true' } }, data: { 'meshdeck.yaml': stringify(doc) } }],
    'istio-system',
  );
const nothing: LoadedConfig = { sources: [], problems: [], rootNamespace: 'istio-system' };
const shop = configured('shop', {
  slos: [{ sli: 'availability', objective: 0.999 }],
  businessKpis: [{ name: 'Orders', query: 'sum(rate(orders_total[5m]))', unit: 'rps' }],
  canary: { versions: 'canary', errorRatioThreshold: 0.1, window: '2m', alerts: ['ShopCanary'] },
  segments: [{ label: 'plan' }],
});
const rows = (canaryErrors: number) => [
  { version: 'stable', share: 0.95, errorRatio: 0.001, p99: 100 },
  { version: 'canary', share: 0.05, errorRatio: canaryErrors, p99: 120 },
];

beforeEach(() => {
  prometheus.queries.length = 0;
  prometheus.answer = () => [];
  prometheus.alerts = [];
});

describe('canary verdicts', () => {
  const rule = effectiveConfig(shop, 'shop').canaryFor('shop');

  it('judges with the configured threshold and names the configured alert', () => {
    expect(judgeCanary('cart', 'shop', rows(0.12), rule)).toMatchObject({
      canary: 'canary',
      state: 'bad',
      firing: true,
      verdict: 'Roll back: canary fails 12% of requests (> 10%), the ShopCanary alert fires after 2 minutes',
    });
    expect(judgeCanary('cart', 'shop', rows(0.03), rule)).toMatchObject({
      state: 'ok',
      firing: false,
      verdict: 'Healthy: canary fails 3%, under the 10% alert threshold',
    });
  });

  it('only compares when no threshold is configured, and says how to configure one', () => {
    const verdict = judgeCanary('cart', 'shop', rows(0.5), effectiveConfig(nothing, 'shop').canaryFor('shop'));
    expect(verdict).toMatchObject({ state: 'info', firing: false });
    expect(verdict.verdict).toBe(
      'canary fails 50% against 0.1% for stable. No canary threshold configured to judge it: add a ConfigMap labelled meshdeck.io/config=true with a meshdeck.yaml key (see README, "Mesh configuration").',
    );
  });

  it('recognises the canary by the configured regex on the whole version label', () => {
    const next = effectiveConfig(configured('shop', { canary: { versions: 'v2|next' } }), 'shop').canaryFor('shop');
    expect(
      judgeCanary(
        'cart',
        'shop',
        [
          { version: 'v1', share: 0.5, errorRatio: 0, p99: null },
          { version: 'v2', share: 0.5, errorRatio: 0, p99: null },
        ],
        next,
      ).canary,
    ).toBe('v2');
    expect(
      judgeCanary(
        'cart',
        'shop',
        [
          { version: 'v1', share: 0.5, errorRatio: 0, p99: null },
          { version: 'v20', share: 0.5, errorRatio: 0, p99: null },
        ],
        next,
      ),
    ).toMatchObject({ canary: undefined, state: 'info', verdict: 'No canary version (none matches v2|next): an A/B or blue-green split' });
  });

  it('compares versions over the configured window in one query', async () => {
    prometheus.answer = () => [
      { metric: { kpi: 'rate', destination_service_namespace: 'shop', destination_service_name: 'cart', destination_version: 'stable' }, value: 9 },
      { metric: { kpi: 'rate', destination_service_namespace: 'shop', destination_service_name: 'cart', destination_version: 'canary' }, value: 1 },
      { metric: { kpi: 'errors', destination_service_namespace: 'shop', destination_service_name: 'cart', destination_version: 'canary' }, value: 0.2 },
    ];
    const [cart] = await canaryPanel(
      { namespace: 'shop' },
      effectiveConfig(configured('shop', { canary: { errorRatioThreshold: 0.1, window: '5m' } }), 'shop'),
    );
    expect(prometheus.queries).toHaveLength(1);
    expect(prometheus.queries[0]).toContain('[5m]');
    expect(cart).toMatchObject({
      service: 'cart',
      namespace: 'shop',
      canary: 'canary',
      state: 'bad',
      versions: [
        { version: 'stable', share: 0.9 },
        { version: 'canary', share: 0.1, errorRatio: 0.2 },
      ],
    });
  });
});

describe('SLOs and business KPIs from configuration', () => {
  it('without SLOs, asks Prometheus nothing and says what to add', async () => {
    const panel = await sloPanel({ namespace: 'blog' }, effectiveConfig(shop, 'blog'));
    expect(panel).toEqual({
      slos: [],
      notConfigured:
        'No SLOs configured for namespace blog (1 SLO measure other scopes: see All namespaces): add a ConfigMap labelled meshdeck.io/config=true with a meshdeck.yaml key (see README, "Mesh configuration").',
    });
    expect(prometheus.queries).toEqual([]);
  });

  it('shows the configured KPIs and segments from the same single query as the mesh KPIs', async () => {
    prometheus.answer = (): Sample[] => [
      { metric: { kpi: 'kpi:0' }, value: 4.5 },
      { metric: { kpi: 'versions', destination_service_namespace: 'shop', destination_service_name: 'cart', destination_version: 'stable' }, value: 19 },
      { metric: { kpi: 'versions', destination_service_namespace: 'shop', destination_service_name: 'cart', destination_version: 'canary' }, value: 1 },
      { metric: { kpi: 'overflows' }, value: 0 },
      { metric: { kpi: 'segment:plan', plan: 'free' }, value: 3 },
      { metric: { kpi: 'segment:plan', plan: 'gold' }, value: 7 },
    ];
    const panel = await businessPanel({ namespace: 'shop' }, effectiveConfig(shop, 'shop'));
    expect(prometheus.queries).toHaveLength(1);
    expect(prometheus.queries[0]).toContain('label_replace(sum(rate(orders_total[5m])), "kpi", "kpi:0", "", "")');
    expect(prometheus.queries[0]).toContain(
      'sum by (destination_service_namespace, destination_service_name, destination_version) (rate(istio_requests_total{reporter="destination",destination_service_namespace="shop"}[2m]))',
    );
    expect(panel).toEqual({
      mesh: { canaryShare: 0.05, overflowsRps: 0, ejectedHosts: null },
      kpis: [{ name: 'Orders', unit: 'rps', description: undefined, value: 4.5 }],
      segments: [
        {
          label: 'plan',
          title: 'plan',
          values: [
            { value: 'gold', rps: 7 },
            { value: 'free', rps: 3 },
          ],
        },
      ],
      notConfigured: undefined,
    });
  });

  it('without business KPIs, shows the mesh KPIs and says none is configured', async () => {
    const panel = await businessPanel({}, effectiveConfig(nothing));
    expect(panel.kpis).toEqual([]);
    expect(panel.notConfigured).toMatch(/^No business KPIs configured: add a ConfigMap labelled meshdeck.io\/config=true/);
    expect(panel.mesh.canaryShare).toBeNull();
  });
});

describe('one definition of a canary', () => {
  // A namespace where one service is canaried: the canary serves 11.9% of its requests and
  // 5.7% of the namespace's; "load-test" is neither stable nor canary.
  const sample = (kpi: string, service: string, version: string, value: number): Sample => ({
    metric: { kpi, destination_service_namespace: 'shop', destination_service_name: service, destination_version: version },
    value,
  });
  const data = (kpi: string) => [
    sample(kpi, 'cart', 'stable', 7.4),
    sample(kpi, 'cart', 'canary', 1.19),
    sample(kpi, 'cart', 'load-test', 1.41),
    sample(kpi, 'pay', 'v1', 10.88),
  ];

  it('gives the canary panel and the business canary share the same share on the same data', () => {
    for (const [loaded, canary] of [
      [nothing, 'canary'],
      [configured('shop', { canary: { versions: 'canary|load-test' } }), 'canary+load-test'],
    ] as const) {
      const config = effectiveConfig(loaded, 'shop');
      const [cart, ...others] = canaryComparisons({ rate: data('rate') }, config);
      const business = businessKpis({ versions: data('versions') }, { namespace: 'shop' }, config);
      expect(others).toEqual([]);
      expect(cart!.canaryShare).toBeCloseTo(canary === 'canary' ? 0.119 : 0.26, 6);
      expect(business.mesh.canaryShare).toBeCloseTo(cart!.canaryShare!, 12);
    }
  });

  it("reads each namespace's rule in the all-namespaces view, as the canary panel does", () => {
    const loaded = parseConfigMaps(
      [
        { metadata: { namespace: 'shop', name: 'm', labels: { 'meshdeck.io/config': 'true' } }, data: { 'meshdeck.yaml': 'canary: {versions: next}' } },
        { metadata: { namespace: 'blog', name: 'm', labels: { 'meshdeck.io/config': 'true' } }, data: { 'meshdeck.yaml': 'canary: {versions: canary}' } },
      ],
      'istio-system',
    );
    const config = effectiveConfig(loaded);
    const rates = (kpi: string): Sample[] => [
      { metric: { kpi, destination_service_namespace: 'shop', destination_service_name: 'cart', destination_version: 'next' }, value: 1 },
      { metric: { kpi, destination_service_namespace: 'shop', destination_service_name: 'cart', destination_version: 'canary' }, value: 3 },
      { metric: { kpi, destination_service_namespace: 'blog', destination_service_name: 'posts', destination_version: 'next' }, value: 2 },
      { metric: { kpi, destination_service_namespace: 'blog', destination_service_name: 'posts', destination_version: 'canary' }, value: 2 },
    ];
    const comparisons = canaryComparisons({ rate: rates('rate') }, config);
    expect(comparisons.map((c) => [c.namespace, c.canary, c.canaryShare])).toEqual([
      ['shop', 'next', 0.25],
      ['blog', 'canary', 0.5],
    ]);
    // (1 + 2) / (4 + 4): a version name that is a canary in one namespace is not in the other.
    expect(businessKpis({ versions: rates('versions') }, {}, config).mesh.canaryShare).toBe(0.375);
  });
});

describe('the services table', () => {
  it('keys services by namespace and name: same-named services of two namespaces stay apart', async () => {
    prometheus.answer = (): Sample[] => [
      { metric: { kpi: 'rate', destination_service_namespace: 'shop', destination_service_name: 'cart' }, value: 3 },
      { metric: { kpi: 'rate', destination_service_namespace: 'blog', destination_service_name: 'cart' }, value: 5 },
      { metric: { kpi: 'errors', destination_service_namespace: 'blog', destination_service_name: 'cart' }, value: 0.5 },
    ];
    expect(await servicesPanel({}, '1m')).toEqual([
      { namespace: 'blog', service: 'cart', rate: 5, errorRatio: 0.5, p50: null, p95: null, p99: null },
      { namespace: 'shop', service: 'cart', rate: 3, errorRatio: 0, p50: null, p95: null, p99: null },
    ]);
    expect(prometheus.queries[0]).toContain(
      'sum by (destination_service_namespace, destination_service_name) (rate(istio_requests_total{reporter="destination"}[1m]))',
    );
  });
});

describe('the KPIs page', () => {
  it('marks the alerts configured as guarding a canary', async () => {
    const alert = (name: string): Alert => ({ labels: { alertname: name }, annotations: {}, state: 'firing', value: '1' });
    prometheus.alerts = [alert('ShopCanary'), alert('HighLatency')];
    expect((await alertsPanel(effectiveConfig(shop))).map((a) => [a.labels.alertname, a.canary])).toEqual([
      ['ShopCanary', true],
      ['HighLatency', false],
    ]);
  });

  it('still shows what it can when the configuration cannot be read', async () => {
    const page = await kpiPage({ namespace: 'shop' }, 900, 1_700_000_000, {
      ...nothing,
      error: "Meshdeck's configuration could not be read: the cluster is unreachable",
    });
    expect(page.config).toEqual({ sources: [], problems: [], error: "Meshdeck's configuration could not be read: the cluster is unreachable" });
    expect(page.slo).toEqual({
      data: { slos: [], notConfigured: "No SLOs configured for namespace shop: Meshdeck's configuration could not be read (see the note above)." },
    });
    expect(page.canaryWindow).toBe('2 minutes');
    expect('data' in page.services && 'data' in page.canaries && 'data' in page.business).toBe(true);
  });
});
