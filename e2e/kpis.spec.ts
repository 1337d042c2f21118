import type { ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { ownContext, startDashboardProcess, stopDashboardProcess } from './dashboard-process';
import { kubectl } from './kube';
import { freePort } from './processes';
import { signIn } from './sign-in';
import { openRoute } from './traffic-page';

const SERVICES = ['ai-coach-service', 'health-tracking-service', 'messaging-service', 'nutrition-service', 'payment-service'];

test.describe('KPIs', () => {
  test('list every demo service with a non-zero request rate, SLOs and business KPIs', async ({ page }) => {
    await page.goto('/kpis?namespace=ai-nutritionist&range=15m');
    const table = page.getByRole('table', { name: 'Service metrics' });
    for (const service of SERVICES) {
      const row = table.getByRole('row', { name: new RegExp(service) });
      await expect(row).toBeVisible({ timeout: 20_000 });
      await expect(row.getByRole('cell').first()).not.toHaveText(/^(0\.00\/s|–)$/);
    }
    await expect(page.getByRole('region', { name: 'Service level objectives' })).toContainText('Objective > 99.9%');
    await expect(page.getByRole('region', { name: 'Business KPIs' })).toContainText('Canary share');
    await table.getByRole('button', { name: 'nutrition-service' }).click();
    await expect(page).toHaveURL(/service=nutrition-service/);
    await expect(page.getByRole('img', { name: /Inbound requests per second by version \(1m window\): .*stable/ })).toBeVisible();
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
    const port = await freePort();
    const closed = await freePort(); // nothing listens there: the outside system is down
    let dashboard: ChildProcess | undefined;
    const context = await ownContext(browser, port);
    try {
      dashboard = await startDashboardProcess(port, { MESHDECK_PROMETHEUS_URL: `http://127.0.0.1:${closed}` });
      const page = await context.newPage();
      await signIn(page, 'viewer');
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
    } finally {
      await context.close();
      if (dashboard) await stopDashboardProcess(dashboard, port);
    }
  });
});
