// `npm run screenshots`: PNGs of every page for docs/screenshots/ (not part of CI). Starts its
// own sandbox with live traffic, a real Prometheus scraping it and the production dashboard
// (on free ports), signs in as operator, waits until Prometheus holds request rates, and shoots
// each page (and one open route drawer on Traffic) in the light theme, the dark theme and on a
// 390 px phone: docs/screenshots/<page>-<light|dark|phone>.png, at device scale 1.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from '@playwright/test';
import { findPrometheus, startPrometheus } from '../sandbox/prometheus.ts';
import { adopt, check, fetchOk, portFrom, root, signIn, sleep, startDashboard, startSandbox, tempDir, within } from './bench-support.ts';
import { launchChromium, signedInContext } from './chromium.ts';

const OUT = join(root, 'docs/screenshots');
const PAGES = { overview: '/', traffic: '/traffic', resilience: '/resilience', security: '/security', kpis: '/kpis', traces: '/traces', audit: '/audit' };
const VARIANTS: Record<string, BrowserContextOptions> = {
  light: { viewport: { width: 1280, height: 800 }, colorScheme: 'light' },
  dark: { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' },
  phone: { viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true, hasTouch: true },
};
const MAX_HEIGHT = 2400; // px: a long page is cut there, so that the files stay small
const WARM_UP_S = Number(process.env.SCREENSHOTS_WARM_UP_S ?? 45); // live numbers worth showing: a few minutes of rates would be better still

check(findPrometheus(), 'screenshots show live numbers, which need Prometheus: apt-get install prometheus (or set PROMETHEUS_BIN)');
const sandbox = await startSandbox(tempDir('screenshots'), ['--traffic', '--traffic-port', '0'], /traffic at \d+ req\/s; metrics http:\/\/(\S+)\/metrics/);
const traffic = sandbox.url; // host:port of the simulator's metrics and Jaeger API
const prometheusPort = await portFrom('BENCH_PROMETHEUS_PORT');
const prometheus = await startPrometheus({ dir: tempDir('screenshots-prometheus'), target: traffic, port: prometheusPort, scrapeInterval: '1s' });
adopt(prometheus.process);
const dashboard = await startDashboard({
  KUBECONFIG: sandbox.kubeconfig,
  MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard',
  MESHDECK_IMPERSONATE: '1',
  MESHDECK_PROMETHEUS_URL: prometheus.url,
  MESHDECK_JAEGER_URL: `http://${traffic}`,
  MESHDECK_EMERGENCY_RECONCILER: '1', // as deployed: this replica reverts emergencies (no "not armed" banner)
});

// One audited change, so that the Audit page and the Overview's recent changes have something to show.
async function recordChange() {
  const cookie = await signIn(dashboard.base, 'operator');
  type Item = {
    namespace: string;
    name: string;
    resourceVersion: string;
    routes: { index: number; destinations: { host: string; subset?: string; weight: number }[] }[];
  };
  const { items } = (await (await fetchOk(`${dashboard.base}/api/traffic`, { headers: { cookie } })).json()) as { items: Item[] };
  const vs = items.find((item) => item.routes.some((r) => r.destinations.length >= 2 && r.destinations[0]!.weight >= 5));
  check(vs, 'the sandbox has no route with a split to change');
  const route = vs.routes.find((r) => r.destinations.length >= 2 && r.destinations[0]!.weight >= 5)!;
  const weights = route.destinations.map(({ host, subset, weight }, i) => ({ host, subset, weight: weight + (i === 0 ? -5 : i === 1 ? 5 : 0) }));
  await fetchOk(`${dashboard.base}/api/traffic/${vs.namespace}/${vs.name}/routes/${route.index}/weights`, {
    method: 'PUT',
    headers: { cookie, origin: dashboard.base, 'content-type': 'application/json' },
    body: JSON.stringify({ resourceVersion: vs.resourceVersion, reason: 'Move 5 % to the next destination', weights }),
  });
}
await recordChange();

// Rates need two scrapes of a counter; then some more seconds of history for the sparklines.
const rates = async () => {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('sum(rate(istio_requests_total[1m])) > 0')}`);
  return ((await response.json()) as { data?: { result?: unknown[] } }).data?.result?.length ?? 0;
};
await within(
  90,
  'request rates in Prometheus',
  (async () => {
    while (!(await rates())) await sleep(1000);
  })(),
);
console.info(`screenshots: Prometheus holds request rates; ${WARM_UP_S} s more of history`);
await sleep(WARM_UP_S * 1000);

/** Waits until no panel says it is loading, then for charts to finish drawing. */
async function settle(page: Page) {
  await page.waitForLoadState('load');
  await page
    .waitForFunction(
      () =>
        ![...document.querySelectorAll('[role="status"], [aria-busy="true"]')].some(
          (el) => el.getAttribute('aria-busy') === 'true' || /^Loading\b/.test(el.textContent?.trim() ?? ''),
        ),
      undefined,
      { timeout: 30_000 },
    )
    .catch(() => console.warn(`screenshots: ${page.url()} still shows something loading after 30 s`));
  await sleep(1500);
}

/**
 * The whole page up to MAX_HEIGHT, shot through a window as tall as the page (a full-page shot
 * through a short one cuts the side navigation and other viewport-high parts at the fold), or
 * (`viewport`) what is on screen: a drawer covers the screen, not the page.
 */
async function shoot(page: Page, name: string, { viewport = false } = {}) {
  const screen = page.viewportSize()!;
  const height = Math.min(await page.evaluate(() => document.documentElement.scrollHeight), MAX_HEIGHT);
  const tall = !viewport && height > screen.height;
  if (tall) {
    await page.setViewportSize({ width: screen.width, height });
    await sleep(500);
  }
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled' });
  if (tall) await page.setViewportSize(screen);
  console.info(`screenshots: ${path.slice(root.length)}`);
}

/** Opens the first route with a split (a row holding a slider) in its drawer. */
async function openRouteDrawer(page: Page): Promise<boolean> {
  const table = page.getByRole('table').first();
  if (!(await table.count())) {
    console.warn('screenshots: the Traffic page has no table of routes, so there is no route drawer to open');
    return false;
  }
  const withSplit = table.getByRole('row').filter({ has: page.getByRole('slider') });
  const row = (await withSplit.count()) ? withSplit.first() : table.getByRole('row').nth(1);
  await row.getByRole('cell').first().click();
  await page.getByRole('dialog').first().waitFor({ state: 'visible', timeout: 10_000 });
  return true;
}

async function shootVariant(browser: Browser, variant: string) {
  const context = await signedInContext(browser, dashboard.base, 'operator', { ...VARIANTS[variant], baseURL: dashboard.base, deviceScaleFactor: 1 });
  const page = await context.newPage();
  for (const [name, path] of Object.entries(PAGES)) {
    await page.goto(path);
    await settle(page);
    await shoot(page, `${name}-${variant}`);
  }
  await page.goto(PAGES.traffic);
  await settle(page);
  if (await openRouteDrawer(page)) {
    await settle(page);
    await shoot(page, `traffic-drawer-${variant}`, { viewport: true });
  }
  await context.close();
}

mkdirSync(OUT, { recursive: true });
const browser = await launchChromium();
for (const variant of Object.keys(VARIANTS)) await shootVariant(browser, variant);
await browser.close();
await dashboard.stop();
await sandbox.stop();
process.exit(0);
