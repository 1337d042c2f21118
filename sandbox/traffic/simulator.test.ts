import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox.ts';
import { join } from 'node:path';
import { loadScenario, scenarioDir, withOverrides } from './scenario.ts';
import { TrafficSimulator } from './simulator.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, kubeconfig: null });
});
afterAll(async () => sandbox?.stop());

function seeded(seed = 42) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** Sums istio_requests_total (destination reporter) by the given label, for one service. */
function totals(sim: TrafficSimulator, service: string, by: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of sim.metrics.text().split('\n')) {
    if (!line.startsWith('istio_requests_total{reporter="destination"') || !line.includes(`destination_service_name="${service}"`)) continue;
    const key = new RegExp(`${by}="([^"]*)"`).exec(line)![1]!;
    out[key] = (out[key] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

/** The nutrition canary's requests (destination reporter) by response code. */
function canaryCodes(sim: TrafficSimulator): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of sim.metrics.text().split('\n')) {
    if (!line.startsWith('istio_requests_total{reporter="destination"') || !line.includes('destination_service_name="nutrition-service"')) continue;
    if (!line.includes('destination_version="canary"')) continue;
    const code = /response_code="(\d+)"/.exec(line)![1]!;
    out[code] = (out[code] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

function run(sim: TrafficSimulator, seconds: number, start = Date.now()) {
  let now = start;
  sim.tick(now); // sets the clock
  for (let i = 0; i < seconds * 10; i++) sim.tick((now += 100));
  return now;
}

const patchVs = (name: string, patch: unknown) => {
  const type = sandbox.registry.byPath('networking.istio.io', 'v1', 'virtualservices')!;
  const live = sandbox.store.get(type, 'ai-nutritionist', name)!;
  sandbox.store.put(type, { ...live, spec: { ...(live.spec as object), ...(patch as object) } });
};

describe('traffic simulator', () => {
  it('routes by the live VirtualService: 95/5 by default, 50/50 right after a change', () => {
    const sim = new TrafficSimulator({
      store: sandbox.store,
      registry: sandbox.registry,
      scenario: withOverrides(loadScenario(), { headers: { canaryOptIn: 0, newProviderFlag: 0, loadTest: 0 } }),
      random: seeded(),
    });
    const now = run(sim, 20);
    const before = totals(sim, 'nutrition-service', 'destination_version');
    expect(before.canary! / (before.canary! + before.stable!)).toBeCloseTo(0.05, 1);

    const vs = sandbox.store.get(sandbox.registry.byPath('networking.istio.io', 'v1', 'virtualservices')!, 'ai-nutritionist', 'nutrition-service-canary')!;
    const http = structuredClone((vs.spec as { http: { route: { weight?: number }[] }[] }).http);
    http[3]!.route[0]!.weight = 50;
    http[3]!.route[1]!.weight = 50;
    patchVs('nutrition-service-canary', { http });
    run(sim, 20, now);
    const after = totals(sim, 'nutrition-service', 'destination_version');
    const canary = after.canary! - before.canary!;
    const stable = after.stable! - before.stable!;
    expect(canary / (canary + stable)).toBeGreaterThan(0.45);
    expect(canary / (canary + stable)).toBeLessThan(0.55);
    sim.stop();
  });

  it("enters a scenario's timed phases on time, counted from the switch to it", () => {
    const sim = new TrafficSimulator({ store: sandbox.store, registry: sandbox.registry, scenario: loadScenario(), random: seeded(13) });
    const canaryErrorShare = (since: Record<string, number>) => {
      const now = canaryCodes(sim);
      const errors = Object.entries(now).reduce((n, [code, count]) => n + (code.startsWith('5') ? count - (since[code] ?? 0) : 0), 0);
      const all = Object.entries(now).reduce((n, [code, count]) => n + count - (since[code] ?? 0), 0);
      return { errors: errors / all, all, now };
    };
    const start = Date.now();
    sim.setScenario(loadScenario(join(scenarioDir, 'nutrition-canary-failing.yaml')), start);
    expect(sim.nextPhaseAt()).toBe(start + 20_000);
    run(sim, 19.9, start);
    const healthy = canaryErrorShare({});
    expect(sim.phasesApplied).toBe(0);
    expect(healthy.all).toBeGreaterThan(200);
    expect(healthy.errors).toBeLessThan(0.03);

    run(sim, 20, start + 19_900);
    const failing = canaryErrorShare(healthy.now);
    expect(sim.phasesApplied).toBe(1);
    expect(sim.nextPhaseAt()).toBeUndefined();
    expect(failing.errors).toBeGreaterThan(0.15);
    expect(failing.errors).toBeLessThan(0.25);

    // Switching again restarts the clock: healthy for another 20 s.
    sim.setScenario(loadScenario(join(scenarioDir, 'nutrition-canary-failing.yaml')), start + 40_000);
    expect(sim.phasesApplied).toBe(0);
    run(sim, 10, start + 40_000);
    expect(canaryErrorShare(failing.now).errors).toBeLessThan(0.03);
    sim.stop();
  });

  it('refuses plaintext clients under STRICT and lets them through as connection_security_policy none under PERMISSIVE', () => {
    const sim = new TrafficSimulator({
      store: sandbox.store,
      registry: sandbox.registry,
      scenario: withOverrides(loadScenario(), { rate: 20, plaintextRate: 20 }),
      random: seeded(7),
    });
    const now = run(sim, 5);
    expect(totals(sim, 'nutrition-service', 'connection_security_policy').none).toBeUndefined();
    expect(sim.metrics.text()).toMatch(/sandbox_plaintext_connections_refused_total\{[^}]*nutrition-service[^}]*\} [1-9]/);

    const paType = sandbox.registry.byPath('security.istio.io', 'v1', 'peerauthentications')!;
    const pa = sandbox.store.get(paType, 'ai-nutritionist', 'default')!;
    sandbox.store.put(paType, { ...pa, spec: { mtls: { mode: 'PERMISSIVE' } } });
    run(sim, 5, now);
    expect(totals(sim, 'nutrition-service', 'connection_security_policy').none).toBeGreaterThan(50);
    sandbox.store.put(paType, { ...pa, spec: { mtls: { mode: 'STRICT' } } });
    sim.stop();
  });

  it('ejects failing AI coach pods (outlier detection), at least one and within maxEjectionPercent', () => {
    const sim = new TrafficSimulator({
      store: sandbox.store,
      registry: sandbox.registry,
      scenario: loadScenario(new URL('../scenarios/ai-coach-failing.yaml', import.meta.url).pathname),
      random: seeded(3),
    });
    run(sim, 10);
    const text = sim.metrics.text();
    const active = [
      ...text.matchAll(/envoy_cluster_outlier_detection_ejections_active\{cluster_name="outbound\|8080\|algorithm-[ab]\|ai-coach-service[^"]*"\} (\d+)/g),
    ].map((m) => Number(m[1]));
    expect(Math.max(...active)).toBe(1); // 3 pods at 30%: Envoy ejects one, never two
    expect(text).toMatch(/envoy_cluster_outlier_detection_ejections_enforced_total\{cluster_name="outbound\|8080\|algorithm-a\|ai-coach-service[^"]*"\} [1-9]/);
    sim.stop();
  });

  const only = (path: string) =>
    Object.fromEntries(
      ['/api/v1/payments', '/api/v1/nutrition', '/api/v1/ai-coach', '/api/v1/messaging', '/api/v1/health'].map((p) => [p, p === path ? 1 : 0]),
    );
  const sourceFlags = (sim: TrafficSimulator, service: string) =>
    [
      ...sim.metrics
        .text()
        .matchAll(
          new RegExp(
            `istio_requests_total\\{reporter="source"[^}]*destination_service_name="${service}"[^}]*response_code="(\\d+)",response_flags="([^"]+)"[^}]*\\} (\\d+)`,
            'g',
          ),
        ),
    ].reduce<Record<string, number>>((acc, m) => ({ ...acc, [`${m[1]} ${m[2]}`]: (acc[`${m[1]} ${m[2]}`] ?? 0) + Number(m[3]) }), {});

  it('overflows a small connection pool with 503 UO', () => {
    const drType = sandbox.registry.byPath('networking.istio.io', 'v1', 'destinationrules')!;
    const dr = sandbox.store.get(drType, 'ai-nutritionist', 'payment-service')!;
    const spec = structuredClone(dr.spec) as {
      trafficPolicy: { connectionPool: { tcp: { maxConnections: number }; http: { http1MaxPendingRequests: number } } };
    };
    spec.trafficPolicy.connectionPool.tcp.maxConnections = 1;
    spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests = 1;
    sandbox.store.put(drType, { ...dr, spec });
    const scenario = withOverrides(loadScenario(), {
      paths: only('/api/v1/payments'),
      versions: { 'payment-service': { blue: { p50: 5_000, p99: 9_000, errorRate: 0 } } },
    });
    const sim = new TrafficSimulator({ store: sandbox.store, registry: sandbox.registry, scenario, random: seeded(5) });
    run(sim, 3);
    const flags = sourceFlags(sim, 'payment-service');
    expect(flags['503 UO']).toBeGreaterThan(flags['200 -'] ?? 0);
    sandbox.store.put(drType, dr);
    sim.stop();
  });

  it('times out with 504 UT past the route timeout', () => {
    const scenario = withOverrides(loadScenario(), {
      rate: 50,
      paths: only('/api/v1/payments'),
      versions: { 'payment-service': { blue: { p50: 45_000, p99: 60_000, errorRate: 0 } } },
    });
    const sim = new TrafficSimulator({ store: sandbox.store, registry: sandbox.registry, scenario, random: seeded(6) });
    run(sim, 2);
    const flags = sourceFlags(sim, 'payment-service');
    expect(flags['504 UT']).toBeGreaterThan(50);
    sim.stop();
  });

  it('answers 429 RL once a sidecar token bucket runs dry', () => {
    const scenario = withOverrides(loadScenario(), { rateLimitKey: 'sidecar', paths: only('/api/v1/ai-coach'), calls: {} });
    const sim = new TrafficSimulator({ store: sandbox.store, registry: sandbox.registry, scenario, random: seeded(8) });
    run(sim, 5);
    const flags = totals(sim, 'ai-coach-service', 'response_flags');
    // 6 pods with buckets of 100 tokens (no refill within 5 s): at most 600 get through, the rest are limited.
    expect(flags['-']).toBeLessThanOrEqual(600);
    expect(flags.RL).toBeGreaterThan(300);
    sim.stop();
  });

  it('keeps traces of gateway → service → downstream with the Telemetry tags', () => {
    const sim = new TrafficSimulator({
      store: sandbox.store,
      registry: sandbox.registry,
      scenario: withOverrides(loadScenario(), { traceSampling: 100, rate: 50 }),
      random: seeded(11),
    });
    run(sim, 2);
    const [trace] = sim.traces.find({ service: 'ai-coach-service.ai-nutritionist', limit: 1 });
    expect(trace).toBeDefined();
    const services = trace!.map((s) => s.serviceName);
    expect(services[0]).toBe('istio-ingressgateway.istio-system');
    expect(services).toContain('ai-coach-service.ai-nutritionist');
    expect(services).toContain('nutrition-service.ai-nutritionist');
    const root = trace![0]!;
    expect(trace!.every((s) => s === root || s.parentSpanID)).toBe(true);
    for (const key of ['x-request-id', 'x-user-id', 'x-deployment-version']) expect(trace![1]!.tags.some((t) => t.key === key && t.value)).toBe(true);
    sim.stop();
  });
});
