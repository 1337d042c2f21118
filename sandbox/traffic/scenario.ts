// Scenario files: the simulated workload (rates, users, headers, latency and errors).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface VersionBehaviour {
  p50: number;
  p99: number;
  errorRate: number;
}

/**
 * A call a service makes while serving a request. `service` names the destination as
 * "svc" (the caller's namespace), "namespace/svc", or a host ("svc.ns.svc.cluster.local",
 * or a ServiceEntry's external host). Its protocol follows the destination: a TCP port
 * makes it a connection (istio_tcp_*), an external host is reported by the caller only.
 */
export interface Call {
  service: string;
  path: string;
  /** Share of the caller's requests that make this call (default 1). */
  probability?: number;
}

/** A client outside the mesh (no sidecar, "unknown" to Istio) calling a service directly. */
export interface PlaintextClient {
  service: string; // "namespace/svc" or a cluster-local host
  path: string;
  rate: number; // requests per second
}

export interface Scenario {
  rate: number;
  /** The ingress gateway's host and Gateway ("namespace/name"); the seed's by default. */
  gateway?: { host: string; name: string };
  users: number;
  tiers: Record<string, number>;
  countries: Record<string, number>;
  verifiedUsers: number;
  plaintextRate: number;
  /** Clients outside the mesh; without it, plaintextRate goes to the seed's legacy client. */
  plaintextClients?: PlaintextClient[];
  headers: Record<string, number>;
  paths: Record<string, number>;
  /** Keyed by the caller: "svc" (any namespace, the seed's form) or "namespace/svc". */
  calls: Record<string, Call[]>;
  rateLimitKey: 'user' | 'sidecar';
  traceSampling?: number;
  /** Keyed by service ("svc" or "namespace/svc"), then version; an external host's behaviour under the key "external". */
  versions: Record<string, Record<string, VersionBehaviour>>;
  /** Labels istio_requests_total with the caller's x-user-tier (the seed's business dashboards need it; default true). */
  userTierLabel?: boolean;
  /**
   * Records istio_request_bytes and istio_response_bytes (default true). Large generated meshes
   * turn them off, as operators often do through the Telemetry API: they double the series.
   */
  requestSizeMetrics?: boolean;
  /**
   * Timed changes: each phase's fields are layered over the scenario (and the phases before it)
   * once `afterSeconds` have passed since the scenario was loaded or switched to, e.g. a canary
   * that starts healthy and fails 20 s later.
   */
  phases?: ScenarioPhase[];
}

/** A phase names only what changes; a version's behaviour may give only some of its numbers. */
export type ScenarioPhase = { afterSeconds: number } & Partial<Omit<Scenario, 'phases' | 'versions'>> & {
    versions?: Record<string, Record<string, Partial<VersionBehaviour>>>;
  };

export const scenarioDir = resolve(dirname(new URL(import.meta.url).pathname), '../scenarios');

function merge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (base && override && typeof base === 'object' && typeof override === 'object' && !Array.isArray(base) && !Array.isArray(override)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(override)) out[k] = merge(out[k], v);
    return out;
  }
  return override;
}

/** Reads a scenario file; `extends: other.yaml` layers it over another one. */
export function loadScenario(path = join(scenarioDir, 'default.yaml')): Scenario {
  const raw = parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { extends?: string };
  const { extends: parent, ...rest } = raw;
  const merged = parent ? merge(loadScenario(resolve(dirname(path), parent)), rest) : rest;
  const scenario = merged as Scenario;
  if (!(scenario.rate >= 0)) throw new Error(`${path}: rate must be a number of requests per second`);
  const problem = phasesProblem(scenario.phases);
  if (problem) throw new Error(`${path}: ${problem}`);
  return scenario;
}

function phasesProblem(phases: unknown): string | undefined {
  if (phases === undefined) return undefined;
  if (!Array.isArray(phases)) return 'phases must be a list of { afterSeconds, ...changes }';
  let previous = -1;
  for (const [i, phase] of phases.entries()) {
    const after = (phase as { afterSeconds?: unknown })?.afterSeconds;
    if (typeof after !== 'number' || !(after >= 0)) return `phases[${i}].afterSeconds must be a number of seconds (0 or more)`;
    if (after <= previous) return `phases[${i}].afterSeconds must be later than the phase before it (${previous})`;
    previous = after;
  }
  return undefined;
}

/**
 * The scenario each phase turns it into, in time order: `at` counts milliseconds from the
 * moment the scenario was loaded. Worked out once per load, so a request never pays for phases.
 */
export function phaseTimeline(scenario: Scenario): { at: number; scenario: Scenario }[] {
  const { phases, ...base } = scenario;
  const timeline: { at: number; scenario: Scenario }[] = [];
  let current: Scenario = base;
  for (const { afterSeconds, ...changes } of phases ?? []) {
    current = merge(current, changes) as Scenario;
    timeline.push({ at: afterSeconds * 1000, scenario: current });
  }
  return timeline;
}

export function withOverrides(scenario: Scenario, overrides: Partial<Scenario>): Scenario {
  return merge(scenario, overrides) as Scenario;
}
