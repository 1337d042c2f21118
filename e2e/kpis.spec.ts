import { expect, test } from '@playwright/test';
import { onOwnDashboard } from './dashboard-process';
import { kubectl } from './kube';
import { freePort } from './processes';
import { openRoute } from './traffic-page';

const SERVICES = ['ai-coach-service', 'health-tracking-service', 'messaging-service', 'nutrition-service', 'payment-service'];

test.describe('KPIs', () => {
  test('list every demo service with a non-zero request rate, SLOs and business KPIs', async ({ page }) => {
    await page.goto('/kpis?namespace=ai-nutritionist&range=15m');
    const table = page.getByRole('table', { name: 'Service metrics' });
    for (const service of SERVICES) {
      const row = table.getByRole('row', { name: new RegExp(service) });
      await expect(row).toBeVisible({ timeout: 20_000 });
      // Cells: service, requests, ...
      await expect(row.getByRole('cell').nth(1)).not.toHaveText(/^(0\/s|–)$/);
    }
    await expect(page.getByRole('region', { name: 'Service level objectives' })).toContainText('Objective > 99.9%');
    await expect(page.getByRole('region', { name: 'Business KPIs' })).toContainText('Canary share');
    await table.getByRole('button', { name: 'nutrition-service' }).click();
    await expect(page).toHaveURL(/service=nutrition-service/);
    await expect(page.getByRole('img', { name: /Inbound requests per second by version \(1m window\): .*stable/ })).toBeVisible();
    // Errors have their own chart, on their own scale.
    await expect(page.getByRole('img', { name: /Inbound 5xx share by version: .*stable/ })).toBeVisible();
  });

  test('services sort by their numbers, the range and the sort stay in the URL, and a phone has no horizontal scroll', async ({ page }) => {
    await page.goto('/kpis?namespace=ai-nutritionist&range=15m');
    const table = page.getByRole('table', { name: 'Service metrics' });
    await expect(table.getByRole('row')).toHaveCount(SERVICES.length + 1, { timeout: 20_000 });
    await table.getByRole('button', { name: 'Sort by Requests' }).click();
    await expect(page).toHaveURL(/services\.sort=-?rate/);
    const rates = async () =>
      (await table.getByRole('row').locator('[role=cell]:nth-child(2)').allTextContents()).map((t) => Number(t.replace('/s', '').replace('k', 'e3')));
    const shown = await rates();
    const ascending = new URL(page.url()).searchParams.get('services.sort') === 'rate';
    expect(shown).toEqual([...shown].sort((a, b) => (ascending ? a - b : b - a)));
    await page.reload();
    await expect(page).toHaveURL(/range=15m/);
    await expect(table.getByRole('columnheader', { name: /Requests/ })).toHaveAttribute('aria-sort', ascending ? 'ascending' : 'descending');

    await page.setViewportSize({ width: 390, height: 844 });
    await table.getByRole('button', { name: 'nutrition-service' }).click();
    await expect(page.getByRole('img', { name: /Inbound latency P50, P95, P99/ })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  });

  test('the canary share card and the canary panel read the same share (one canary definition)', async ({ page }) => {
    await page.goto('/kpis?namespace=ai-nutritionist&range=15m');
    const panel = page.getByRole('group', { name: 'Versions of nutrition-service' }).getByRole('row', { name: /^canary/ });
    await expect(panel).toBeVisible({ timeout: 20_000 });
    const fromPanel = Number((await panel.getByRole('cell').first().textContent())!.replace('%', ''));
    const text = await page.getByRole('region', { name: 'Business KPIs' }).locator('div.card', { hasText: 'Canary share' }).locator('dd').textContent();
    // Two queries a moment apart: within half a point.
    expect(Math.abs(Number(text!.replace('%', '')) - fromPanel)).toBeLessThan(0.5);
  });

  test('moving the nutrition canary on the Traffic page moves its share on the KPIs page within 30 s', async ({ page }) => {
    const share = async () => {
      const row = page.getByRole('group', { name: 'Versions of nutrition-service' }).getByRole('row', { name: /^canary/ });
      return Number((await row.getByRole('cell').first().textContent())!.replace('%', ''));
    };
    await page.goto('/kpis?namespace=ai-nutritionist&range=15m&refresh=5');
    await expect(page.getByRole('group', { name: 'Versions of nutrition-service' })).toBeVisible({ timeout: 20_000 });
    const before = await share();

    await page.goto('/traffic?namespace=ai-nutritionist');
    const split = await openRoute(page, 'nutrition-service-canary', 'default-split');
    await split.getByRole('spinbutton', { name: 'nutrition-service canary weight percent' }).fill('50');
    await split.getByLabel('Reason for this change').fill('half the traffic to the canary');
    await split.getByRole('button', { name: 'Review change' }).click();
    await split.getByRole('button', { name: 'Apply' }).click();
    await expect(split.getByRole('status')).toContainText('stable 50% / canary 50%');
    const applied = Date.now();

    await page.goto('/kpis?namespace=ai-nutritionist&range=15m&refresh=5');
    await expect.poll(share, { timeout: 30_000 - (Date.now() - applied), intervals: [2000] }).toBeGreaterThan(before + 5);
    // Put the split back for the specs that follow.
    kubectl(
      'patch',
      'virtualservice',
      'nutrition-service-canary',
      '-n',
      'ai-nutritionist',
      '--type=json',
      '-p=[{"op":"replace","path":"/spec/http/3/route/0/weight","value":95},{"op":"replace","path":"/spec/http/3/route/1/weight","value":5}]',
    );
  });

  test('with Prometheus down the KPIs page says so while the Traffic page keeps working', async ({ browser }) => {
    const closed = await freePort(); // nothing listens there: the outside system is down
    await onOwnDashboard(browser, { MESHDECK_PROMETHEUS_URL: `http://127.0.0.1:${closed}` }, 'viewer', async (page) => {
      await page.goto('/kpis?namespace=ai-nutritionist');
      await expect(page.getByRole('alert').filter({ hasText: 'Prometheus is unavailable' })).toContainText(
        `Prometheus at http://127.0.0.1:${closed} is unreachable`,
      );
      await expect(page.getByRole('region', { name: 'Service level objectives' }).getByRole('alert')).toContainText('Could not load the SLOs');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Traffic' }).click();
      await expect(page.getByRole('status', { name: 'Live numbers' })).toContainText(
        `Live numbers unavailable: Prometheus at http://127.0.0.1:${closed} is unreachable`,
      );
      await expect(await openRoute(page, 'nutrition-service-canary', 'default-split')).toBeVisible();
    });
  });
});
