// The container image's server without a container: .next/standalone laid out as the
// Dockerfile lays it out, started with `node server.js` from a tree it may not write to, as
// a user other than the files' owner (as readOnlyRootFilesystem and runAsNonRoot do in
// deploy/), with no kubeconfig. Needs `npm run build` (next.config.js: output 'standalone').
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort, stopProcess } from './processes';

// As the Dockerfile's user 10001 would be: not the owner of the application files.
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

let dir: string;
let server: ChildProcess;
let base: string;
let output = '';

test.beforeAll(async () => {
  test.setTimeout(120_000);
  expect(existsSync('.next/standalone/server.js'), '.next/standalone/server.js is missing: run `npm run build` (output: standalone)').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'meshdeck-standalone-'));
  const app = join(dir, 'app');
  // The runtime stage's three COPY lines (which keep symlinks as they are, relative).
  cpSync('.next/standalone', app, { recursive: true, verbatimSymlinks: true });
  cpSync('.next/static', join(app, '.next/static'), { recursive: true });
  cpSync('public', join(app, 'public'), { recursive: true });
  // The Deployment's two emptyDirs: the only places the server may write.
  const cache = join(app, '.next/cache');
  const tmp = join(dir, 'tmp');
  for (const writable of [cache, tmp]) {
    mkdirSync(writable, { recursive: true });
    chmodSync(writable, 0o1777);
  }
  chmodSync(dir, 0o755);
  // Everything else read-only: root ignores file modes, so root runs the server as nobody.
  if (!asRoot) expect(spawnSync('chmod', ['-R', 'a-w', app]).status).toBe(0);
  if (!asRoot) chmodSync(cache, 0o1777);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // A clean environment: no KUBECONFIG, a HOME without ~/.kube, not in a pod.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: tmp,
    TMPDIR: tmp,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    HOSTNAME: '127.0.0.1',
    PORT: String(port),
    NEXTAUTH_URL: base,
    NEXTAUTH_SECRET: 'standalone-e2e-secret-0123456789abcdef',
  };
  // process.execPath: the Node 24 that npm put on the PATH for Playwright.
  server = spawn(process.execPath, ['server.js'], {
    cwd: app,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await expect
    .poll(
      async () =>
        server.exitCode !== null
          ? `exited: ${output}`
          : await fetch(`${base}/api/healthz`).then(
              (r) => r.status,
              () => 'down',
            ),
      { timeout: 60_000 },
    )
    .toBe(200);
});

test.afterAll(async () => {
  if (server) await stopProcess(server);
  if (dir) {
    if (!asRoot) spawnSync('chmod', ['-R', 'u+w', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the standalone server answers its health checks with no kubeconfig', async () => {
  const healthz = await fetch(`${base}/api/healthz`);
  expect(healthz.status).toBe(200);
  expect(await healthz.json()).toEqual({ status: 'ok' });
  // Not ready without a cluster, and it says why.
  const readyz = await fetch(`${base}/api/readyz`);
  expect(readyz.status).toBe(503);
  expect((await readyz.json()).status).toBe('not-ready');
});

test('pages come with their static assets from .next/static and public', async () => {
  const html = await (await fetch(`${base}/signin`)).text();
  expect(html).toContain('Sign in to Meshdeck');
  const assets = [...new Set([...html.matchAll(/(?:src|href)="(\/_next\/static\/[^"]+)"/g)].map((m) => m[1]!))];
  expect(assets.filter((a) => a.endsWith('.js')).length).toBeGreaterThan(0);
  for (const asset of assets) {
    const response = await fetch(`${base}${asset}`);
    expect(response.status, asset).toBe(200);
    expect(response.headers.get('content-type'), asset).toMatch(asset.endsWith('.css') ? /text\/css/ : /javascript|font|image/);
  }
  expect((await fetch(`${base}/favicon.svg`)).status).toBe(200);
});

test('the sign-in page renders in the browser without a failed request, and nothing tried to write outside the emptyDirs', async ({ page }) => {
  const failures: string[] = [];
  page.on('response', (r) => r.url().startsWith(base) && r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`));
  page.on('requestfailed', (r) => failures.push(`failed ${r.url()}`));
  page.on('pageerror', (e) => failures.push(`page error ${e.message}`));
  await page.goto(`${base}/signin`);
  await expect(page.getByRole('heading', { name: 'Sign in to Meshdeck' })).toBeVisible();
  // No sign-in method is configured here; the page says which variables to set.
  await expect(page.getByText('No sign-in method is configured')).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(failures).toEqual([]);
  expect(output).not.toMatch(/EACCES|EROFS|EPERM/);
});
