// The platform's Meshdeck configuration (observability-meshdeck.yaml) is valid, and agrees
// with the rest of k8s/istio: SLOs with the slo_target recording rules, the canary rule with
// the CanaryHighErrorRate alert, the canary's rollout preset with that alert and the seed's
// canary route, segments with the Telemetry dimension. And every workload
// exports the Envoy stats Meshdeck's circuit-breaker view reads.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { effectiveConfig, parseConfigMaps, rolloutPresets } from '../../lib/config/schema.ts';
import { durationMs } from '../../lib/mesh/duration.ts';
import { planProblems, type RolloutPlan } from '../../lib/mesh/rollout.ts';
import type { VirtualService } from '../../lib/mesh/types.ts';
import { ENVOY_STATS, PROXY_STATS_REGEXPS } from '../../lib/metrics/resilience.ts';
import { findObject, loadManifests } from './manifests.ts';

const all = loadManifests().map(({ object }) => object);
const loaded = parseConfigMaps(all.filter((o) => o.kind === 'ConfigMap') as never, 'istio-system');
const rules = (findObject('PrometheusRule', 'ai-nutritionist-alerts').spec as { groups: { rules: { alert?: string; record?: string; expr: string; for?: string }[] }[] }).groups.flatMap((g) => g.rules);

describe('observability-meshdeck.yaml', () => {
  it('is one valid Meshdeck ConfigMap, in the platform namespace', () => {
    expect(loaded.problems).toEqual([]);
    expect(loaded.sources.map((s) => `${s.namespace}/${s.name}`)).toEqual(['ai-nutritionist/meshdeck-config']);
  });

  it('holds the same SLO objectives as the slo_target recording rules', () => {
    const target = (name: string) => Number(rules.find((r) => r.record === `ai_nutritionist:slo_target:${name}`)?.expr.match(/vector\(([\d.]+)\)/)?.[1]);
    const slos = loaded.sources[0]!.config.slos;
    const objective = (sli: string) => slos.find((s) => s.sli === sli)?.objective;
    expect(objective('availability')).toBe(target('availability'));
    expect(objective('latency')).toBe(target('latency_p99_ms'));
    expect(slos.find((s) => s.sli === 'latency')).toMatchObject({ quantile: 0.99 });
    expect(objective('errorRate')).toBe(target('error_rate'));
    expect(objective('throughput')).toBe(target('throughput_rps'));
    // They measure the namespace the ConfigMap is in.
    expect(effectiveConfig(loaded, 'ai-nutritionist').slos.map((s) => s.scope)).toEqual(slos.map(() => ({ namespace: 'ai-nutritionist', service: undefined })));
  });

  it('judges the canary as the CanaryHighErrorRate alert does', () => {
    const canary = loaded.sources[0]!.config.canary!;
    for (const name of canary.alerts) {
      const alert = rules.find((r) => r.alert === name);
      expect(alert, name).toBeDefined();
      expect(Number(alert!.expr.trim().match(/>\s*([\d.]+)$/)?.[1])).toBe(canary.errorRatioThreshold);
      expect(alert!.for).toBe(canary.window);
      expect(alert!.expr).toContain(`[${canary.window}]`);
      const version = alert!.expr.match(/destination_version="([^"]+)"/)![1]!;
      expect(new RegExp(`^(?:${canary.versions})$`).test(version)).toBe(true);
    }
  });

  it("offers a rollout preset for the nutrition canary that fails back where CanaryHighErrorRate fires, and fits the seed's canary route", () => {
    const presets = rolloutPresets(loaded, 'ai-nutritionist');
    const preset = presets[0]!;
    expect(preset).toMatchObject({ name: 'nutrition-canary', services: ['nutrition-service'], steps: [5, 10, 25, 50, 100] });
    // The seed's process: 5 % first (its canary route's split), then gradually, minutes per step.
    const vs = findObject('VirtualService', 'nutrition-service-canary') as unknown as VirtualService;
    const split = vs.spec.http!.at(-1)!;
    expect(split.route!.find((r) => r.destination.subset === 'canary')?.weight).toBe(preset.steps[0]);
    expect(preset.stepSeconds).toBeGreaterThanOrEqual(60);
    // Rolled back as the alert would page: its threshold over its window, failing for as long as its `for`.
    const canary = loaded.sources[0]!.config.canary!;
    const alert = rules.find((r) => r.alert === 'CanaryHighErrorRate')!;
    expect(preset.gates.maxErrorRate).toBe(canary.errorRatioThreshold);
    expect(preset.windowSeconds * 1000).toBe(durationMs(canary.window));
    expect(preset.intervalSeconds * preset.maxFailedChecks * 1000).toBe(durationMs(alert.for));
    const latency = rules.find((r) => r.alert === 'HighLatencyP99')!;
    expect(preset.gates.maxP99Ms).toBe(Number(latency.expr.trim().match(/>\s*([\d.]+)$/)?.[1]));
    // It fits the seed's canary route as it stands (stable → canary on the last, weighted route).
    const plan: RolloutPlan = {
      ...preset,
      route: vs.spec.http!.length - 1,
      stable: { host: 'nutrition-service', subset: 'stable' },
      candidate: { host: 'nutrition-service', subset: 'canary' },
      preset: preset.name,
    };
    expect(planProblems(vs, plan)).toEqual([]);
  });

  it('segments users by the label the Telemetry resource adds', () => {
    const telemetry = findObject('Telemetry', 'mesh-observability').spec as { metrics: { overrides: { tagOverrides: Record<string, unknown> }[] }[] };
    const labels = telemetry.metrics.flatMap((m) => m.overrides.flatMap((o) => Object.keys(o.tagOverrides)));
    for (const segment of loaded.sources[0]!.config.segments) expect(labels).toContain(segment.label);
  });
});

describe('Envoy stats for the circuit-breaker view', () => {
  // Envoy's own stat names (the regexes match them whole); Prometheus adds envoy_ and the cluster_name label.
  const cluster = 'cluster.outbound|8080|canary|nutrition-service.ai-nutritionist.svc.cluster.local';
  const statNames: Record<string, string> = {
    [ENVOY_STATS.ejectionsActive]: `${cluster}.outlier_detection.ejections_active`,
    [ENVOY_STATS.ejectionsEnforced]: `${cluster}.outlier_detection.ejections_enforced_total`,
    [ENVOY_STATS.retries]: `${cluster}.upstream_rq_retry`,
    [ENVOY_STATS.pendingOverflow]: `${cluster}.upstream_rq_pending_overflow`,
  };

  it('the regexes Meshdeck recommends match every stat it reads', () => {
    for (const name of Object.values(ENVOY_STATS)) expect(PROXY_STATS_REGEXPS.some((re) => new RegExp(`^(?:${re})$`).test(statNames[name]!)), name).toBe(true);
  });

  it('every Deployment asks its sidecar for them with proxy.istio.io/config', () => {
    const deployments = all.filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) {
      const annotations = (d.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations ?? {};
      const proxyConfig = parse(annotations['proxy.istio.io/config'] ?? '') as { proxyStatsMatcher?: { inclusionRegexps?: string[] } } | null;
      expect(proxyConfig?.proxyStatsMatcher?.inclusionRegexps, d.metadata.name).toEqual(PROXY_STATS_REGEXPS);
    }
  });
});
