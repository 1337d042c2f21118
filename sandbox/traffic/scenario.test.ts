import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, phaseTimeline, scenarioDir } from './scenario.ts';

const writeScenario = (text: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdeck-scenario-'));
  writeFileSync(
    join(dir, 'default.yaml'),
    `rate: 10\nversions:\n  svc:\n    v1: { p50: 10, p99: 50, errorRate: 0 }\n    v2: { p50: 10, p99: 50, errorRate: 0 }\n`,
  );
  writeFileSync(join(dir, 'test.yaml'), text);
  return join(dir, 'test.yaml');
};

describe('scenario phases', () => {
  it('layers each phase over the scenario and the phases before it, timed from the load', () => {
    const scenario = loadScenario(
      writeScenario(
        [
          'extends: default.yaml',
          'phases:',
          '  - afterSeconds: 5',
          '    versions: { svc: { v2: { errorRate: 0.5 } } }',
          '  - afterSeconds: 12',
          '    rate: 20',
          '    versions: { svc: { v2: { p99: 900 } } }',
        ].join('\n'),
      ),
    );
    const timeline = phaseTimeline(scenario);
    expect(timeline.map((p) => p.at)).toEqual([5000, 12_000]);
    expect(timeline[0]!.scenario.versions.svc).toEqual({ v1: { p50: 10, p99: 50, errorRate: 0 }, v2: { p50: 10, p99: 50, errorRate: 0.5 } });
    expect(timeline[0]!.scenario.rate).toBe(10);
    expect(timeline[1]!.scenario.versions.svc!.v2).toEqual({ p50: 10, p99: 900, errorRate: 0.5 });
    expect(timeline[1]!.scenario.rate).toBe(20);
    // The scenario itself is untouched: it is what runs before the first phase.
    expect(scenario.versions.svc!.v2!.errorRate).toBe(0);
    expect(timeline.every((p) => p.scenario.phases === undefined)).toBe(true);
  });

  it('refuses phases out of order or without a time, naming the phase', () => {
    expect(() => loadScenario(writeScenario('extends: default.yaml\nphases:\n  - afterSeconds: 10\n  - afterSeconds: 5\n'))).toThrow(
      /phases\[1\]\.afterSeconds must be later than the phase before it \(10\)/,
    );
    expect(() => loadScenario(writeScenario('extends: default.yaml\nphases:\n  - versions: {}\n'))).toThrow(
      /phases\[0\]\.afterSeconds must be a number of seconds/,
    );
    expect(() => loadScenario(writeScenario('extends: default.yaml\nphases: {}\n'))).toThrow(/phases must be a list/);
  });

  it('the nutrition canary scenarios: healthy as stable, and failing a fifth of its requests after 20 s', () => {
    const healthy = loadScenario(join(scenarioDir, 'nutrition-canary-healthy.yaml'));
    expect(healthy.versions['nutrition-service']!.canary).toEqual(healthy.versions['nutrition-service']!.stable);
    expect(healthy.phases).toBeUndefined();

    const failing = loadScenario(join(scenarioDir, 'nutrition-canary-failing.yaml'));
    expect(failing.versions['nutrition-service']!.canary).toEqual(failing.versions['nutrition-service']!.stable);
    const [failure] = phaseTimeline(failing);
    expect(failure!.at).toBe(20_000);
    expect(failure!.scenario.versions['nutrition-service']!.canary!.errorRate).toBe(0.2);
    expect(failure!.scenario.versions['nutrition-service']!.stable).toEqual(failing.versions['nutrition-service']!.stable);
  });
});
