// A dashboard server a spec starts (and stops, and restarts) itself, next to the ones
// Playwright manages: for restarts, and for configurations the shared servers do not have.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { auth, sandboxKubeconfig } from '../playwright.config';
import { endWithWorker, freePort } from './processes';
import { signIn } from './sign-in';

export function startDashboardProcess(port: number, env: Record<string, string> = {}): Promise<ChildProcess> {
  const fullEnv = {
    ...process.env,
    ...auth(port),
    KUBECONFIG: sandboxKubeconfig,
    MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard',
    MESHDECK_IMPERSONATE: '1',
    NEXT_TELEMETRY_DISABLED: '1',
    ...env,
  };
  // Its own process group, so stopping reaches everything it starts.
  const child = endWithWorker(
    spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--hostname', '127.0.0.1', '--port', String(port)], {
      env: fullEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    }),
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`dashboard on port ${port} exited (${code})`)));
  });
}

export async function stopDashboardProcess(child: ChildProcess, port: number): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
  // The port is free again before anyone restarts on it.
  await expect
    .poll(
      async () =>
        fetch(`http://127.0.0.1:${port}/api/healthz`).then(
          () => 'up',
          () => 'down',
        ),
      { timeout: 10_000 },
    )
    .toBe('down');
}

/**
 * A fresh browser session (no saved sign-in) on a dashboard a spec started itself. Its Origin
 * header is that dashboard's: the project-wide one names the shared dashboard, and a sign-in or
 * write sent with another dashboard's Origin is refused as cross-site.
 */
export function ownContext(browser: Browser, port: number): Promise<BrowserContext> {
  const base = `http://127.0.0.1:${port}`;
  return browser.newContext({ baseURL: base, storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { origin: base } });
}

/**
 * Runs `scenario` with a page on a dashboard of its own, started with `env` (an outside system down,
 * say) on a free port and signed in as `user`; the page's context and the dashboard end after it.
 */
export async function onOwnDashboard(
  browser: Browser,
  env: Record<string, string>,
  user: 'viewer' | 'operator' | 'admin',
  scenario: (page: Page) => Promise<void>,
): Promise<void> {
  const port = await freePort();
  let dashboard: ChildProcess | undefined;
  const context = await ownContext(browser, port);
  try {
    dashboard = await startDashboardProcess(port, env);
    const page = await context.newPage();
    await signIn(page, user);
    await scenario(page);
  } finally {
    await context.close();
    if (dashboard) await stopDashboardProcess(dashboard, port);
  }
}
