// Meshdeck works on any Istio mesh: the demo platform's names (its namespace, services,
// tiers, headers, alerts, issuers) belong in k8s/istio and the cluster's configuration,
// never in the app's source. This scans app/, lib/ and components/ (not tests, not
// fixtures) and fails naming the file and line of every occurrence.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const DIRS = ['app', 'lib', 'components'];

/** The seed platform's names (see k8s/istio and shared/brief/seed-service-mesh.md). */
const SEED_NAMES: [string, RegExp][] = [
  ['the platform', /ai[-_ ]?nutritionist/i],
  ['a service', /nutrition|ai[-_ ]coach|\bpayments?\b|payment-service|\bmessaging\b|health[-_]tracking/i],
  ['a user tier', /user_tier|x-user-tier|\bpremium\b|\bbeta\b/i],
  ['an alert', /CanaryHighErrorRate|\bHighErrorRate\b|HighLatencyP99|LowRequestRate/],
  ['an issuer', /auth\.ai-/i],
  ['a subset', /algorithm-[ab]\b|eu-gdpr/i],
  [
    'a routing header',
    /x-canary-enabled|x-feature-flag-|x-ab-test|x-deployment-target|x-testing-mode|x-circuit-breaker-test|x-load-test|x-test-scenario|x-premium-feature-test|x-user-verified|cloudfront-viewer-country/i,
  ],
];

const isSource = (file: string) => /\.(ts|tsx|js|mjs|cjs|css)$/.test(file) && !/\.test\.(ts|tsx)$/.test(file) && !/\.d\.ts$/.test(file);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return /^(fixtures|__fixtures__|__mocks__|node_modules)$/.test(entry.name) ? [] : sourceFiles(path);
    return isSource(entry.name) ? [path] : [];
  });
}

interface Hit {
  file: string;
  line: number;
  match: string;
  kind: string;
  text: string;
}

function scan(): Hit[] {
  return DIRS.flatMap((dir) => sourceFiles(join(root, dir))).flatMap((path) => {
    const file = relative(root, path);
    return readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((text, i) => {
        // Each pattern consumes what it matched, so "ai-nutritionist" is one hit, not two.
        let rest = text;
        return SEED_NAMES.flatMap(([kind, re]) =>
          [...rest.matchAll(new RegExp(re.source, `${re.flags}g`))].map((m) => {
            rest = rest.replace(m[0], ' '.repeat(m[0].length));
            return { file, line: i + 1, match: m[0], kind, text: text.trim() };
          }),
        );
      });
  });
}

describe('no demo names in app/, lib/ or components/', () => {
  const hits = scan();

  it('finds source files to scan', () => {
    expect(DIRS.flatMap((dir) => sourceFiles(join(root, dir))).length).toBeGreaterThan(50);
  });

  it('names none of the seed platform (move it to a meshdeck.io/config ConfigMap or k8s/istio)', () => {
    expect(hits.map((h) => `${h.file}:${h.line}: ${h.kind} "${h.match}" in: ${h.text.slice(0, 160)}`)).toEqual([]);
  });

  it('the patterns catch the seed names (the test can fail)', () => {
    const caught = (text: string) => SEED_NAMES.some(([, re]) => re.test(text));
    for (const text of [
      "useState('https://auth.ai-nutritionist.com/user-1')",
      "a.labels.alertname === 'CanaryHighErrorRate'",
      'user_tier="premium"',
      'max(ai_nutritionist_active_users)',
      'ai-coach-service',
      'x-user-tier: beta',
    ])
      expect(caught(text), text).toBe(true);
    for (const text of ['networking.istio.io/v1beta1', 'canary', 'stable', 'x-request-id', 'a repayment plan']) expect(caught(text), text).toBe(false);
  });
});
