import { execFileSync } from 'node:child_process';
import { defineConfig } from '@playwright/test';

// Ports the OS picks once, in the runner, and hands to the workers through the environment
// (they load this file again): the suite runs beside anything else on the machine.
// E2E_SANDBOX_PORT, E2E_TRAFFIC_PORT, E2E_PROMETHEUS_PORT, E2E_PORT pin them instead.
if (!process.env.E2E_PORTS_PICKED) {
  const [sandbox, traffic, prometheus, connected, noCluster] = execFileSync(process.execPath, ['e2e/free-ports.mjs', '5'], { encoding: 'utf8' })
    .trim()
    .split(' ');
  process.env.E2E_SANDBOX_PORT ??= sandbox;
  process.env.E2E_TRAFFIC_PORT ??= traffic;
  process.env.E2E_PROMETHEUS_PORT ??= prometheus;
  process.env.E2E_PORT ??= connected;
  process.env.E2E_NO_CLUSTER_PORT ??= noCluster;
  process.env.E2E_PORTS_PICKED = '1';
}
const SANDBOX_PORT = Number(process.env.E2E_SANDBOX_PORT);
export const TRAFFIC_PORT = Number(process.env.E2E_TRAFFIC_PORT);
const PROMETHEUS_PORT = Number(process.env.E2E_PROMETHEUS_PORT);
export const E2E_PROMETHEUS_URL = `http://127.0.0.1:${PROMETHEUS_PORT}`;
const CONNECTED_PORT = Number(process.env.E2E_PORT);
const NO_CLUSTER_PORT = Number(process.env.E2E_NO_CLUSTER_PORT);
export const sandboxKubeconfig = '.sandbox/e2e/kubeconfig';

// Debian's Chromium, never a downloaded browser. The flags keep it off the network.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export const AUTH_DIR = '.sandbox/e2e/auth';
export const E2E_NEXTAUTH_SECRET = 'e2e-only-secret-0123456789abcdef0123456789';
// The emergency spec runs (and restarts) its own dashboard as the only reconciler.
export const auth = (port: number) => ({
  MESHDECK_DEMO_AUTH: '1',
  NEXTAUTH_SECRET: E2E_NEXTAUTH_SECRET,
  NEXTAUTH_URL: `http://127.0.0.1:${port}`,
  MESHDECK_EMERGENCY_RECONCILER: '0',
});

const dashboard = (port: number, env: Record<string, string>) => ({
  // The production build made by `npm run build` (npm test builds before e2e).
  command: `npm run start -- --port ${port}`,
  url: `http://127.0.0.1:${port}/api/healthz`,
  reuseExistingServer: false,
  timeout: 60_000,
  env: { NEXT_TELEMETRY_DISABLED: '1', ...env },
});

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'reports/playwright.json' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    // Signs in each demo user once and keeps the sessions for the specs.
    { name: 'sign-in', testMatch: /auth\.setup\.ts/, use: { baseURL: `http://127.0.0.1:${CONNECTED_PORT}` } },
    {
      name: 'sandbox',
      dependencies: ['sign-in'],
      // Specs that start their own processes run in their own projects below.
      testIgnore: /auth\.setup\.ts|(no-cluster|production|standalone|oidc|api-fuzz|api-matrix)\.spec\.ts/,
      // Writes need the dashboard's Origin (a browser sends it; page.request does not by itself).
      use: {
        baseURL: `http://127.0.0.1:${CONNECTED_PORT}`,
        storageState: `${AUTH_DIR}/operator.json`,
        extraHTTPHeaders: { origin: `http://127.0.0.1:${CONNECTED_PORT}` },
      },
    },
    { name: 'no-cluster', testMatch: /no-cluster\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${NO_CLUSTER_PORT}` } },
    // Its own sandbox (without Meshdeck's namespace) and two production replicas, started by the spec.
    { name: 'production', testMatch: /production\.spec\.ts/ },
    // The image's server (.next/standalone, as the Dockerfile copies it), started by the spec; no sign-in.
    { name: 'standalone', testMatch: /standalone\.spec\.ts/ },
    // Its own in-process sandbox (the specs compare its store before and after) and dashboard: the route × identity matrix and the API fuzzing.
    { name: 'api', testMatch: /api-(fuzz|matrix)\.spec\.ts/ },
    // A real OIDC provider (oidc-provider on loopback), its own sandbox and a dashboard without demo users, started by the spec.
    { name: 'oidc', testMatch: /oidc\.spec\.ts/ },
  ],
  // Started in this order: the sandbox first, so its kubeconfig exists for the dashboard.
  webServer: [
    {
      command: `node sandbox/main.ts --port ${SANDBOX_PORT} --kubeconfig ${sandboxKubeconfig} --traffic --traffic-port ${TRAFFIC_PORT} --rate 150`,
      url: `https://127.0.0.1:${SANDBOX_PORT}/healthz`,
      ignoreHTTPSErrors: true,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `node scripts/e2e-prometheus.ts 127.0.0.1:${TRAFFIC_PORT} ${PROMETHEUS_PORT}`,
      url: `${E2E_PROMETHEUS_URL}/-/ready`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    // Writes go to Kubernetes as the signed-in user (impersonation), so the sandbox's RBAC applies too.
    dashboard(CONNECTED_PORT, {
      KUBECONFIG: sandboxKubeconfig,
      MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard',
      MESHDECK_IMPERSONATE: '1',
      MESHDECK_PROMETHEUS_URL: E2E_PROMETHEUS_URL,
      MESHDECK_JAEGER_URL: `http://127.0.0.1:${TRAFFIC_PORT}`,
      MESHDECK_JAEGER_UI_URL: 'http://jaeger.example',
      ...auth(CONNECTED_PORT),
    }),
    dashboard(NO_CLUSTER_PORT, { KUBECONFIG: 'e2e/fixtures/unreachable-kubeconfig.yaml', ...auth(NO_CLUSTER_PORT) }),
  ],
});
