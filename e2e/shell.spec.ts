import { expect, test, type Page } from '@playwright/test';
import { onOwnDashboard } from './dashboard-process';
import { freePort } from './processes';
import { pages } from '../lib/navigation';

// The dashboard connected to the sandbox as the meshdeck-dashboard service account.
test.describe('app shell on the sandbox mesh', () => {
  test("shows the connected context and each namespace's health, with links into the pages", async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('status', { name: /Cluster connection/ })).toContainText('meshdeck-dashboard');
    await expect(page.getByRole('heading', { name: 'Cluster unreachable' })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Connection' })).toContainText('v1.32.0-meshdeck-sandbox');

    const table = page.getByRole('table', { name: 'Namespaces' });
    const row = table.getByRole('row', { name: /ai-nutritionist/ });
    await expect(row).toContainText('none firing');
    await expect(row).toContainText(/\d+ route sets?/);
    // Requests per second once Prometheus has scraped the simulated traffic (one query for all namespaces).
    await expect(row).toContainText(/[\d.]+k?\/s/, { timeout: 60_000 });

    const select = page.getByRole('combobox', { name: 'Namespace', exact: true });
    await expect(select.getByRole('option', { name: 'ai-nutritionist' })).toBeAttached();
    await select.selectOption('ai-nutritionist');
    await expect(page).toHaveURL(/\?namespace=ai-nutritionist$/);
    await expect(table.getByRole('row')).toHaveCount(2); // header and ai-nutritionist

    await row.getByRole('link', { name: /route sets?/ }).click();
    await expect(page).toHaveURL(/\/traffic\?namespace=ai-nutritionist$/);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Traffic' })).toHaveAttribute('aria-current', 'page');
  });

  test('the side navigation collapses to icons, keeps the page names, and is collapsed from the first paint after a reload', async ({ page }) => {
    await page.goto('/kpis');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await page.getByRole('button', { name: 'Collapse navigation' }).click();
    const expand = page.getByRole('button', { name: 'Expand navigation' });
    await expect(expand).toHaveAttribute('aria-expanded', 'false');
    for (const { label } of pages) await expect(nav.getByRole('link', { name: label, exact: true })).toBeAttached();
    await expect(nav.getByRole('link', { name: 'KPIs' })).toHaveAttribute('aria-current', 'page');
    // The server reads the choice from its cookie: the HTML it sends is already collapsed.
    expect(await (await page.request.get('/kpis')).text()).toContain('data-collapsed="true"');
    await page.reload();
    await expect(expand).toBeVisible();
    await expand.click();
    await expect(page.getByRole('button', { name: 'Collapse navigation' })).toHaveAttribute('aria-expanded', 'true');
  });

  test('the skip link leads past the navigation to the page', async ({ page }) => {
    await page.goto('/');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await skip.press('Enter');
    await expect(page).toHaveURL(/#main$/);
  });

  test('every page hydrates without a mismatch, even when left before it settles', async ({ page }) => {
    const errors = hydrationErrors(page);
    for (const { href } of pages) await page.goto(href, { waitUntil: 'commit' });
    await openEveryPageThenOverview(page);
    expect(errors, HYDRATION_HINT).toEqual([]);
  });

  test("every page hydrates without a mismatch when the shell's queries answer before the page's part hydrates", async ({ page }) => {
    // A page's Suspense boundary hydrates after the shell, whose cluster, namespace, emergency and rollout
    // queries start at once; answered from memory they always win that race (on a loaded CI
    // machine the network sometimes does: React #418 on the Overview).
    const answers = Object.fromEntries(await Promise.all(SHELL_QUERIES.map(async (path) => [path, await (await page.request.get(path)).text()] as const)));
    await page.addInitScript((answers: Record<string, string>) => {
      const network = window.fetch.bind(window);
      window.fetch = (input, init) => {
        const body = answers[new URL(input instanceof Request ? input.url : String(input), location.href).pathname];
        return body === undefined ? network(input, init) : Promise.resolve(new Response(body, { headers: { 'content-type': 'application/json' } }));
      };
    }, answers);
    const errors = hydrationErrors(page);
    await openEveryPageThenOverview(page);
    expect(errors, HYDRATION_HINT).toEqual([]);
  });

  test('with Prometheus down the Overview says which columns are missing and why, and shows the rest', async ({ browser }) => {
    const closed = await freePort(); // nothing listens there
    await onOwnDashboard(browser, { MESHDECK_PROMETHEUS_URL: `http://127.0.0.1:${closed}` }, 'viewer', async (page) => {
      await page.goto('/?namespace=ai-nutritionist');
      const unreachable = `Prometheus at http://127.0.0.1:${closed} is unreachable`;
      await expect(page.getByRole('status').filter({ hasText: 'Request numbers unavailable' })).toContainText(unreachable);
      await expect(page.getByRole('status').filter({ hasText: 'Firing alerts unavailable' })).toContainText(unreachable);
      // The cluster's sources still answer: emergencies, changes and the mesh objects.
      const row = page.getByRole('table', { name: 'Namespaces' }).getByRole('row', { name: /ai-nutritionist/ });
      await expect(row).toContainText(/\d+ route sets?/);
      await expect(row.getByRole('cell').nth(1)).toHaveText('–');
    });
  });

  test('readiness reports the reachable API', async ({ request }) => {
    const ready = await request.get('/api/readyz');
    expect(ready.status()).toBe(200);
    const body = await ready.json();
    expect(body.context).toBe('meshdeck-dashboard');
    // The e2e dashboards run without the emergency reconciler: still serving, but that check fails.
    expect(['ready', 'degraded']).toContain(body.status);
  });
});

// What the shell's parts fetch as soon as they hydrate, before a page's own part has.
const SHELL_QUERIES = ['/api/cluster', '/api/namespaces', '/api/security/emergencies', '/api/rollouts'];

// The production build's React says only "#418": this says what to look for.
const HYDRATION_HINT =
  "React hydration errors: the page's first client render differed from its server HTML (#418's args: HTML = an element, text = a text). Look for a client part that reads the query cache, the clock or the browser before useHydrated() is true";

/** Opens every page until its heading shows, then the Overview until its table does. */
async function openEveryPageThenOverview(page: Page) {
  for (const { href } of pages) {
    await page.goto(href);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  }
  await page.goto('/');
  await expect(page.getByRole('table', { name: 'Namespaces' })).toBeVisible();
}

/** React's hydration errors (#418 text, #423/#425 tree) as the page reports them. */
function hydrationErrors(page: Page): string[] {
  const errors: string[] = [];
  const keep = (text: string) => {
    if (/hydrat|#41[89]|#42[35]/i.test(text)) errors.push(`${page.url()}: ${text}`);
  };
  page.on('pageerror', (error) => keep(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') keep(message.text());
  });
  return errors;
}
