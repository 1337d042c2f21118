import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BUILTIN_PRESETS } from '@/lib/mesh/rollout';
import { DEFAULT_CANARY, effectiveConfig, humanDuration, parseConfigMap, parseConfigMaps, rolloutPresets, type LoadedConfig } from './schema';

const cm = (namespace: string, name: string, doc: unknown, labels: Record<string, string> = { 'meshdeck.io/config': 'true' }) => ({
  metadata: { namespace, name, labels },
  data: { 'meshdeck.yaml': typeof doc === 'string' ? doc : stringify(doc) },
});

const shop = {
  slos: [
    { sli: 'availability', objective: 0.995 },
    { sli: 'latency', objective: 300 },
    { sli: 'throughput', objective: 5, service: 'cart', name: 'Cart throughput' },
  ],
  businessKpis: [{ name: 'Orders', query: 'sum(rate(orders_total[5m]))', unit: 'rps' }],
  canary: { versions: 'next', errorRatioThreshold: 0.05, alerts: ['ShopCanaryErrors'] },
  segments: [{ label: 'plan', title: 'plan' }],
};
const mesh = {
  slos: [{ sli: 'errorRate', objective: 0.01 }],
  businessKpis: [{ name: 'Mesh RPS', query: 'sum(rate(istio_requests_total[5m]))', unit: 'rps' }],
  canary: { errorRatioThreshold: 0.2, window: '5m' },
};

describe('parsing a Meshdeck ConfigMap', () => {
  it('accepts a full document and fills the defaults', () => {
    const parsed = parseConfigMap(cm('shop', 'meshdeck', shop));
    if (!('source' in parsed)) throw new Error(parsed.problems.join('\n'));
    expect(parsed.source.config.slos[1]).toEqual({ sli: 'latency', objective: 300, quantile: 0.99 });
    expect(parsed.source.config.canary).toEqual({ versions: 'next', errorRatioThreshold: 0.05, window: '2m', alerts: ['ShopCanaryErrors'] });
    expect(parsed.source.config.businessKpis[0]!.unit).toBe('rps');
  });

  it('accepts an empty document: every section is optional', () => {
    expect(parseConfigMap(cm('shop', 'empty', ''))).toEqual({
      source: { namespace: 'shop', name: 'empty', config: { slos: [], businessKpis: [], segments: [] } },
    });
  });

  it('names the ConfigMap and the field of every mistake', () => {
    const broken = {
      slos: [
        { sli: 'availability', objective: 99.9 },
        { sli: 'speed', objective: 1 },
      ],
      canary: { versions: '(?=x)', window: '2 minutes' },
      segments: [{ label: 'user-tier' }],
      extra: true,
    };
    const parsed = parseConfigMap(cm('shop', 'meshdeck', broken));
    expect('problems' in parsed && parsed.problems).toEqual([
      'ConfigMap shop/meshdeck: slos.0.objective: must be a ratio between 0 and 1 (0.999 is 99.9%)',
      expect.stringMatching(/^ConfigMap shop\/meshdeck: slos\.1\.sli: /),
      'ConfigMap shop/meshdeck: canary.versions: must be a regular expression without lookaround or back-references (Prometheus uses RE2)',
      'ConfigMap shop/meshdeck: canary.window: must be a Prometheus duration such as 30s, 2m or 1h',
      'ConfigMap shop/meshdeck: segments.0.label: must be a Prometheus label name',
      expect.stringMatching(/^ConfigMap shop\/meshdeck: Unrecognized key: "extra"/),
    ]);
  });

  it('reports a missing key and YAML that does not parse', () => {
    expect(parseConfigMap({ metadata: { namespace: 'a', name: 'b' }, data: {} })).toEqual({ problems: ['ConfigMap a/b: no "meshdeck.yaml" key in data'] });
    expect(parseConfigMap(cm('a', 'b', 'slos: [unclosed'))).toEqual({ problems: [expect.stringMatching(/^ConfigMap a\/b: meshdeck.yaml is not YAML: /)] });
  });

  it('reads only labelled ConfigMaps, keeps the valid ones and lists the problems of the others', () => {
    const loaded = parseConfigMaps(
      [cm('shop', 'meshdeck', shop), cm('shop', 'audit', { slos: 'nope' }, {}), cm('blog', 'meshdeck', { slos: 3 })],
      'istio-system',
    );
    expect(loaded.sources.map((s) => `${s.namespace}/${s.name}`)).toEqual(['shop/meshdeck']);
    expect(loaded.problems).toEqual([expect.stringMatching(/^ConfigMap blog\/meshdeck: slos: /)]);
  });
});

describe('the configuration that applies to a view', () => {
  const loaded: LoadedConfig = parseConfigMaps(
    [cm('shop', 'meshdeck', shop), cm('istio-system', 'meshdeck', mesh), cm('blog', 'meshdeck', { slos: [{ sli: 'availability', objective: 0.99 }] })],
    'istio-system',
  );

  it("scopes SLOs to their ConfigMap's namespace, or the whole mesh from the root namespace", () => {
    const all = effectiveConfig(loaded);
    expect(all.slos.map((s) => [s.sli, s.scope, s.source])).toEqual([
      ['availability', { namespace: 'blog', service: undefined }, 'blog/meshdeck'],
      ['errorRate', { namespace: undefined, service: undefined }, 'istio-system/meshdeck'],
      ['availability', { namespace: 'shop', service: undefined }, 'shop/meshdeck'],
      ['latency', { namespace: 'shop', service: undefined }, 'shop/meshdeck'],
      ['throughput', { namespace: 'shop', service: 'cart' }, 'shop/meshdeck'],
    ]);
    expect(all.otherSlos).toBe(0);
  });

  it('viewing a namespace shows its SLOs, its KPIs and the mesh-wide KPIs', () => {
    const view = effectiveConfig(loaded, 'shop');
    expect(view.slos.map((s) => s.sli)).toEqual(['availability', 'latency', 'throughput']);
    expect(view.otherSlos).toBe(2);
    expect(view.businessKpis.map((k) => k.name)).toEqual(['Mesh RPS', 'Orders']);
    expect(view.segments.map((s) => s.label)).toEqual(['plan']);
    expect(effectiveConfig(loaded, 'blog').businessKpis.map((k) => k.name)).toEqual(['Mesh RPS']);
  });

  it("takes a namespace's canary rule, else the root namespace's, else the default", () => {
    const view = effectiveConfig(loaded, 'shop');
    expect(view.canaryFor('shop')).toMatchObject({ versions: 'next', errorRatioThreshold: 0.05, configured: true });
    expect(view.canaryFor('blog')).toMatchObject({ versions: '.*canary.*', errorRatioThreshold: 0.2, window: '5m', configured: true });
    expect(view.canaryWindow).toBe('2m');
    expect(effectiveConfig(loaded, 'blog').canaryWindow).toBe('5m');
    expect(view.canaryAlerts).toEqual(new Set(['ShopCanaryErrors']));
    const none = effectiveConfig({ sources: [], rootNamespace: 'istio-system' }, 'shop');
    expect(none.canaryFor('shop')).toEqual({ ...DEFAULT_CANARY, configured: false });
    expect(DEFAULT_CANARY.errorRatioThreshold).toBeUndefined();
    expect(none.canaryFor('blog').versions).toBe('.*canary.*');
  });

  it('has nothing to show when nothing is configured', () => {
    const none = effectiveConfig({ sources: [], rootNamespace: 'istio-system' });
    expect([none.slos, none.businessKpis, none.segments, none.otherSlos]).toEqual([[], [], [], 0]);
  });
});

describe('rollout presets', () => {
  const preset = {
    name: 'shop-careful',
    services: ['cart'],
    steps: [2, 20, 100],
    stepDuration: '10m',
    interval: '1m',
    window: '5m',
    gates: { maxErrorRate: 0.01 },
    maxFailedChecks: 1,
  };
  const loaded = parseConfigMaps(
    [
      cm('shop', 'meshdeck', {
        rollouts: { presets: [preset, { ...preset, name: 'standard', description: 'the shop standard', steps: undefined, stepWeight: 25, maxWeight: 100 }] },
      }),
      cm('istio-system', 'meshdeck', { rollouts: { presets: [{ ...preset, name: 'mesh-wide', services: undefined }] } }),
    ],
    'istio-system',
  );

  it('offers a namespace its own presets, then the mesh-wide ones, then the built-in ones a name did not replace', () => {
    expect(loaded.problems).toEqual([]);
    const presets = rolloutPresets(loaded, 'shop');
    expect(presets.map((p) => p.name)).toEqual(['shop-careful', 'standard', 'mesh-wide', 'cautious', 'quick']);
    expect(presets[0]).toEqual({
      name: 'shop-careful',
      description: '2 → 100 % in 3 steps of 10 minutes; rolls back after 1 failed check',
      services: ['cart'],
      steps: [2, 20, 100],
      stepSeconds: 600,
      intervalSeconds: 60,
      windowSeconds: 300,
      gates: { maxErrorRate: 0.01 },
      maxFailedChecks: 1,
    });
    expect(presets[1]).toMatchObject({ description: 'the shop standard', steps: [25, 50, 75, 100] });
    expect(rolloutPresets(loaded, 'blog').map((p) => p.name)).toEqual(['mesh-wide', ...BUILTIN_PRESETS.map((p) => p.name)]);
    expect(rolloutPresets({ sources: [], rootNamespace: 'istio-system' }, 'shop')).toEqual(BUILTIN_PRESETS);
  });

  it('names the field of a preset that is not a plan', () => {
    const bad = parseConfigMap(
      cm('shop', 'meshdeck', {
        rollouts: {
          presets: [
            { ...preset, steps: [50, 20], interval: '0s' },
            { ...preset, name: 'noisy', gates: { minRequests: 10 } },
            { ...preset, name: 'shop-careful', stepz: 1 },
          ],
        },
      }),
    );
    expect('problems' in bad && bad.problems).toEqual([
      'ConfigMap shop/meshdeck: rollouts.presets.0.interval: must be at least 1s (got 0s)',
      'ConfigMap shop/meshdeck: rollouts.presets.0.steps: must increase: 20 comes after 50',
      'ConfigMap shop/meshdeck: rollouts.presets.1.gates: give a gate that can fail (an error rate, a P99 or a custom query): minimum requests only hold a step',
      'ConfigMap shop/meshdeck: rollouts.presets.2: Unrecognized key: "stepz"',
      'ConfigMap shop/meshdeck: rollouts.presets.2.name: another preset is named "shop-careful"',
    ]);
  });
});

it('writes durations for sentences', () => {
  expect([humanDuration('2m'), humanDuration('1h'), humanDuration('30s'), humanDuration('1m')]).toEqual(['2 minutes', '1 hour', '30 seconds', '1 minute']);
});
