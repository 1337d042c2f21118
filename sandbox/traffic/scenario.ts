// Scenario files: the simulated workload (rates, users, headers, latency and errors).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface VersionBehaviour {
  p50: number;
  p99: number;
  errorRate: number;
}

export interface Scenario {
  rate: number;
  users: number;
  tiers: Record<string, number>;
  countries: Record<string, number>;
  verifiedUsers: number;
  plaintextRate: number;
  headers: Record<string, number>;
  paths: Record<string, number>;
  calls: Record<string, { service: string; path: string }[]>;
  rateLimitKey: 'user' | 'sidecar';
  traceSampling?: number;
  versions: Record<string, Record<string, VersionBehaviour>>;
}

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
  return scenario;
}

export function withOverrides(scenario: Scenario, overrides: Partial<Scenario>): Scenario {
  return merge(scenario, overrides) as Scenario;
}
