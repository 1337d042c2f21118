import { expect, test } from '@playwright/test';
import { TRAFFIC_PORT } from '../playwright.config';
import { onOwnDashboard } from './dashboard-process';
import { BOOKINFO, ensureBookinfo } from './bookinfo';
import { freePort } from './processes';
import { openRoute } from './traffic-page';

const scenario = (name: string) => fetch(`http://127.0.0.1:${TRAFFIC_PORT}/scenario?name=${name}`, { method: 'POST' }).then((r) => expect(r.status).toBe(200));

test.describe('traces', () => {
  // The AI coach fails most requests here, after its call to nutrition-service.
  test.beforeAll(() => scenario('ai-coach-failing'));
  test.afterAll(() => scenario('default'));

  test('finds failing AI coach traces, shows the gateway → ai-coach → downstream waterfall, and opens a trace from its URL', async ({ page }) => {
    await page.goto('/traces');
    const form = page.getByRole('form', { name: 'Search traces' });
    await form.getByRole('combobox', { name: 'Service' }).selectOption('ai-coach-service.ai-nutritionist');
    await form.getByRole('textbox', { name: 'error' }).fill('true');
    await form.getByRole('spinbutton', { name: 'Limit' }).fill('100');
    await form.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/tags=%7B%22error%22%3A%22true%22%7D/);
    // A failure that came from the downstream call has three services in it.
    const row = page
      .getByRole('table', { name: 'Traces found' })
      .getByRole('row', { name: /\(3 services\)/ })
      .first();
    await expect
      .poll(
        async () => {
          if ((await row.count()) === 0) await form.getByRole('button', { name: 'Search' }).click();
          return row.count();
        },
        { timeout: 30_000, intervals: [2000] },
      )
      .toBeGreaterThan(0);
    await expect(row).toContainText('error');
    await row.getByRole('button').click();

    const waterfall = page.getByRole('list', { name: 'Span waterfall' });
    const spans = waterfall.getByRole('button');
    await expect(spans.first()).toHaveAccessibleName(/^istio-ingressgateway\.istio-system .*on the critical path/);
    await expect(waterfall.getByRole('button', { name: /^ai-coach-service\.ai-nutritionist .*error/ }).first()).toBeVisible();
    await expect(waterfall.getByRole('button', { name: /^nutrition-service\.ai-nutritionist / }).first()).toBeVisible();
    await waterfall
      .getByRole('button', { name: /^ai-coach-service\.ai-nutritionist / })
      .first()
      .click();
    await expect(page.getByRole('table', { name: 'Span tags' }).getByRole('row', { name: /^x-request-id / })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Open in Jaeger' })).toHaveAttribute('href', /^http:\/\/jaeger\.example\/trace\/[0-9a-f]+$/);

    const traceId = new URL(page.url()).searchParams.get('trace')!;
    const direct = await page.context().newPage();
    await direct.goto(`/traces?trace=${traceId}`);
    await expect(direct.getByRole('heading', { name: `Trace ${traceId}` })).toBeVisible();
    await expect(direct.getByRole('list', { name: 'Span waterfall' }).getByRole('button').first()).toHaveAccessibleName(/^istio-ingressgateway/);
  });

  test('KPIs link a service to its error traces in the same window, and the namespace stays selected', async ({ page }) => {
    await page.goto('/kpis?namespace=ai-nutritionist&range=15m');
    const row = page.getByRole('table', { name: 'Service metrics' }).getByRole('row', { name: /ai-coach-service/ });
    await row.getByRole('link', { name: 'errors' }).click();
    await expect(page).toHaveURL(/\/traces\?namespace=ai-nutritionist&service=ai-coach-service\.ai-nutritionist&start=\d+&end=\d+&limit=50&tags=/);
    await expect(page.getByRole('table', { name: 'Traces found' }).getByRole('row').nth(1)).toContainText('error', { timeout: 20_000 });
    // The service list is the namespace's, and a new search keeps the namespace.
    const form = page.getByRole('form', { name: 'Search traces' });
    const options = await form.getByRole('combobox', { name: 'Service' }).locator('option').allTextContents();
    expect(options.filter((o) => o !== 'choose…').every((o) => o.endsWith('.ai-nutritionist'))).toBe(true);
    await form.getByRole('textbox', { name: 'error' }).fill('');
    await form.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/[?&]namespace=ai-nutritionist(&|$)/);
    await expect(page).not.toHaveURL(/tags=/);
  });

  test('the default search of nutrition-service spans far more than a second, and says how it was sized', async ({ page }) => {
    await page.goto('/traces?namespace=ai-nutritionist');
    const form = page.getByRole('form', { name: 'Search traces' });
    await form.getByRole('combobox', { name: 'Service' }).selectOption('nutrition-service.ai-nutritionist');
    await form.getByRole('button', { name: 'Search' }).click();
    const how = page.getByLabel('How the traces were chosen');
    await expect(how).toContainText(/searches of 5 traces: at [\d.]+ req\/s the latest 50 would cover/, { timeout: 20_000 });
    const spanned = Number(/spanning (\d+) s/.exec((await how.textContent())!)![1]);
    expect(spanned).toBeGreaterThan(10);
    await expect(page.getByRole('table', { name: 'Traces found' }).getByRole('row')).not.toHaveCount(1);
  });

  test('traces sort by duration (kept in the URL) and the page fits a 390 px phone, drawer included', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/traces?namespace=ai-nutritionist&service=nutrition-service.ai-nutritionist&lookback=15m&limit=30');
    const table = page.getByRole('table', { name: 'Traces found' });
    await expect(table.getByRole('row').nth(2)).toBeVisible({ timeout: 20_000 });
    await table.getByRole('button', { name: 'Sort by Duration' }).click();
    await expect(page).toHaveURL(/traces\.sort=-?duration/);
    const seconds = (t: string) =>
      t.endsWith(' ms') ? Number(t.slice(0, -3)) / 1000 : t.endsWith(' s') ? Number(t.slice(0, -2)) : Number(t.slice(0, -4)) * 60;
    const ascending = new URL(page.url()).searchParams.get('traces.sort') === 'duration';
    // Polled: a search answering meanwhile (the page refreshes it) re-renders the rows once more (CI read them mid-way).
    await expect
      .poll(
        async () => {
          const durations = (await table.getByRole('row').locator('[role=cell]:last-child').allTextContents()).map(seconds);
          return durations.length > 1 && durations.every((d, i) => i === 0 || (ascending ? durations[i - 1]! <= d : durations[i - 1]! >= d));
        },
        { message: `rows sorted by duration, ${ascending ? 'ascending' : 'descending'}` },
      )
      .toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

    await table.getByRole('row').nth(1).getByRole('button').click();
    const drawer = page.getByRole('dialog', { name: /^Trace [0-9a-f]+$/ });
    await expect(drawer.getByRole('list', { name: 'Span waterfall' })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();
    await expect(page).not.toHaveURL(/[?&]trace=/);
  });

  test('a namespace without traces says so, and why that may be', async ({ page }) => {
    ensureBookinfo();
    await page.goto(`/traces?namespace=${BOOKINFO}`);
    await expect(page.getByRole('status').filter({ hasText: `No traces for namespace ${BOOKINFO}` })).toContainText('no traffic');
    await expect(page.getByRole('status').filter({ hasText: `No traces for namespace ${BOOKINFO}` })).toContainText('sampling');
  });

  test('with Jaeger unreachable the Traces page says so and the other pages are unaffected', async ({ browser }) => {
    const closed = await freePort(); // nothing listens there: the outside system is down
    await onOwnDashboard(browser, { MESHDECK_JAEGER_URL: `http://127.0.0.1:${closed}` }, 'viewer', async (page) => {
      await page.goto('/traces');
      await expect(page.getByRole('alert').filter({ hasText: 'Jaeger is unavailable' })).toContainText(
        `Jaeger is unavailable: Jaeger at http://127.0.0.1:${closed} is unreachable`,
      );
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Traffic' }).click();
      await expect(await openRoute(page, 'nutrition-service-canary', 'default-split')).toBeVisible();
    });
  });
});
