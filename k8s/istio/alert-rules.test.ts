// Runs Prometheus' own promtool on the PrometheusRule in observability-complete.yaml:
// `check rules` for syntax, and `test rules` with the unit tests in tests/alerts.promtool.yaml.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { findObject } from './manifests.ts';

function promtool(args: string[], cwd: string) {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (result.error) throw new Error(`promtool is needed for this test (apt-get install prometheus): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function workdirWithRules(groups: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshdeck-rules-'));
  writeFileSync(join(dir, 'alerts.rules.yaml'), stringify({ groups }));
  copyFileSync(new URL('./tests/alerts.promtool.yaml', import.meta.url), join(dir, 'alerts.promtool.yaml'));
  return dir;
}

const rule = findObject('PrometheusRule', 'ai-nutritionist-alerts');
const groups = (rule.spec as { groups: { name: string; rules: { alert?: string; expr: string; for?: string }[] }[] }).groups;

describe('alerting rules under promtool', () => {
  it('promtool is installed', () => {
    expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/promtool, version/);
  });

  it('`promtool check rules` accepts every rule', () => {
    const { status, output } = promtool(['check', 'rules', 'alerts.rules.yaml'], workdirWithRules(groups));
    expect(output).toMatch(/SUCCESS: 13 rules found/);
    expect(status).toBe(0);
  });

  it('`promtool test rules`: each alert fires on a breaching series and stays silent otherwise', () => {
    const { status, output } = promtool(['test', 'rules', 'alerts.promtool.yaml'], workdirWithRules(groups));
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('the unit tests fail when a threshold is loosened (the tests can fail)', () => {
    const loosened = structuredClone(groups);
    const errorRate = loosened.flatMap((g) => g.rules).find((r) => r.alert === 'HighErrorRate')!;
    errorRate.expr = errorRate.expr.replace('> 0.05', '> 0.15');
    const { status, output } = promtool(['test', 'rules', 'alerts.promtool.yaml'], workdirWithRules(loosened));
    expect(status).not.toBe(0);
    expect(output).toMatch(/FAILED/);
  });
});
