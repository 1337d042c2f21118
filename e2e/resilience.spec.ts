import { expect, test, type Page } from '@playwright/test';
import { TRAFFIC_PORT } from '../playwright.config';
import { BOOKINFO, ensureBookinfo } from './bookinfo';
import { jsonpath, kubectl } from './kube';

/** Opens a DestinationRule's drawer from its row in the DestinationRules table. */
async function openRule(page: Page, name: string) {
  await page
    .getByRole('table', { name: 'DestinationRules' })
    .getByRole('row', { name: new RegExp(`^${name} `) })
    .click();
  return page.getByRole('dialog', { name: `DestinationRule ai-nutritionist/${name}` });
}

const scenario = (name: string) => fetch(`http://127.0.0.1:${TRAFFIC_PORT}/scenario?name=${name}`, { method: 'POST' }).then((r) => expect(r.status).toBe(200));

test.describe('resilience', () => {
  test("changes ai-coach's consecutive5xxErrors from 3 to 5 and its timeout from 120s to 90s", async ({ page }) => {
    await page.goto('/resilience?namespace=ai-nutritionist');
    // The row says what is set, compactly; the drawer holds the editor.
    const row = page.getByRole('table', { name: 'DestinationRules' }).getByRole('row', { name: /^ai-coach-service / });
    await expect(row).toContainText('3× 5xx');
    await expect(row).toContainText('LEAST_CONN');
    const drawer = await openRule(page, 'ai-coach-service');
    await expect(page).toHaveURL(/rule=ai-nutritionist%2Fai-coach-service/);
    const policy = drawer.getByRole('region', { name: 'Traffic policy of ai-coach-service all subsets' });
    await expect(policy).toContainText('maxEjectionPercent 30 with 6 endpoints: at most 1 can be ejected at once');
    // Only the set fields show; an unset one is behind "Add setting".
    await expect(policy.getByRole('textbox', { name: 'ai-coach-service all subsets Min health' })).toHaveCount(0);
    await policy.getByRole('combobox', { name: 'Add setting to ai-coach-service all subsets' }).selectOption('outlierDetection.minHealthPercent');
    await expect(policy.getByRole('textbox', { name: 'ai-coach-service all subsets Min health' })).toBeFocused();
    const field = policy.getByRole('textbox', { name: 'ai-coach-service all subsets Consecutive 5xx errors' });
    await expect(field).toHaveValue('3');
    await field.fill('5');
    await policy.getByLabel('Reason for this change').fill('fewer false ejections during model warm-up');
    await policy.getByRole('button', { name: 'Review change' }).click();
    // The API server's dry run of the patch: the DestinationRule before and after.
    const diff = policy.getByLabel('Change to the traffic policy of ai-coach-service all subsets');
    await expect(diff.locator('.diff-removed')).toHaveText([/^- +consecutive5xxErrors: 3\s*$/]);
    await expect(diff.locator('.diff-added')).toHaveText([/^\+ +consecutive5xxErrors: 5\s*$/]);
    await policy.getByRole('button', { name: 'Apply policy of ai-coach-service all subsets' }).click();
    await expect.poll(() => jsonpath('destinationrule', 'ai-coach-service', '.spec.trafficPolicy.outlierDetection.consecutive5xxErrors')).toBe('5');
    expect(jsonpath('destinationrule', 'ai-coach-service', '.spec.trafficPolicy.outlierDetection.maxEjectionPercent')).toBe('30');

    await drawer.getByRole('button', { name: 'Close details' }).click();
    await expect(drawer).toBeHidden();

    const routes = page.getByRole('table', { name: "Routes' timeouts and retries" });
    // The filter box sits above its table, named after it.
    await page.getByRole('searchbox', { name: "Filter Routes' timeouts and retries" }).fill('ai-coach-service-ab-test');
    await routes
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'default', exact: true }) })
      .click();
    const route = page.getByRole('dialog').getByRole('group', { name: 'Timeouts and retries of ai-coach-service-ab-test route default' });
    await route.getByRole('textbox', { name: 'ai-coach-service-ab-test route default Timeout' }).fill('90s');
    await route.getByLabel('Reason for this change').fill('the model answers within 60 s at P99');
    await route.getByRole('button', { name: 'Review change' }).click();
    await route.getByRole('button', { name: 'Apply timeouts and retries of default' }).click();
    await expect.poll(() => jsonpath('virtualservice', 'ai-coach-service-ab-test', '.spec.http[3].timeout')).toBe('90s');
    expect(jsonpath('virtualservice', 'ai-coach-service-ab-test', '.spec.http[3].retries.attempts')).toBe('2');
  });

  test('an edit started before a kubectl change shows the conflict view and overwrites nothing', async ({ page }) => {
    await page.goto('/resilience?namespace=ai-nutritionist');
    const policy = (await openRule(page, 'messaging-service')).getByRole('region', { name: 'Traffic policy of messaging-service all subsets' });
    const field = policy.getByRole('textbox', { name: 'messaging-service all subsets Consecutive 5xx errors' });
    const mine = String(Number((await field.inputValue()) || '5') + 2);
    await field.fill(mine);
    // Meanwhile, at a terminal:
    kubectl(
      'patch',
      'destinationrule',
      'messaging-service',
      '-n',
      'ai-nutritionist',
      '--type=merge',
      '-p',
      '{"spec":{"trafficPolicy":{"outlierDetection":{"consecutive5xxErrors":11}}}}',
    );
    await policy.getByLabel('Reason for this change').fill('fewer ejections');
    // The review is the API server's dry run on the version the edit started from: already a conflict.
    await policy.getByRole('button', { name: 'Review change' }).click();
    const conflict = policy.getByRole('alert', { name: 'Conflict' });
    await expect(conflict).toContainText('someone changed this DestinationRule after you loaded it');
    await expect(conflict).toContainText('consecutive5xxErrors: 11'); // now in the cluster
    expect(jsonpath('destinationrule', 'messaging-service', '.spec.trafficPolicy.outlierDetection.consecutive5xxErrors')).toBe('11');
    await conflict.getByRole('button', { name: /Apply my values on the latest version/ }).click();
    await expect.poll(() => jsonpath('destinationrule', 'messaging-service', '.spec.trafficPolicy.outlierDetection.consecutive5xxErrors')).toBe(mine);
  });

  test('an invalid duration gives a field error and writes nothing', async ({ page }) => {
    const before = jsonpath('destinationrule', 'payment-service', '.metadata.resourceVersion');
    await page.goto('/resilience?namespace=ai-nutritionist&rule=ai-nutritionist%2Fpayment-service');
    // The open drawer is in the URL: a shared link opens it.
    const policy = page
      .getByRole('dialog', { name: 'DestinationRule ai-nutritionist/payment-service' })
      .getByRole('region', { name: 'Traffic policy of payment-service all subsets' });
    const field = policy.getByRole('textbox', { name: 'payment-service all subsets Connect timeout' });
    await field.fill('10 parsecs');
    await expect(policy.getByRole('alert').first()).toContainText('Connect timeout: "10 parsecs" is not a duration');
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await policy.getByLabel('Reason for this change').fill('try it');
    await policy.getByRole('button', { name: 'Review change' }).click();
    await expect(policy.getByRole('button', { name: 'Apply policy of payment-service all subsets' })).toHaveCount(0);

    const values = { 'connectionPool.tcp.connectTimeout': '10 parsecs' };
    const response = await page.request.put('/api/resilience/rules/ai-nutritionist/payment-service', {
      data: { resourceVersion: before, reason: 'api check', values },
    });
    expect(response.status()).toBe(400);
    const body = await response.json();
    expect(body.error.details.fields['connectionPool.tcp.connectTimeout']).toContain('is not a duration');
    expect(jsonpath('destinationrule', 'payment-service', '.metadata.resourceVersion')).toBe(before);
  });

  test('under a failing AI coach the page shows ejections and the tripped badge within 30 s', async ({ page }) => {
    await scenario('ai-coach-failing');
    try {
      await page.goto('/resilience?namespace=ai-nutritionist');
      const row = page.getByRole('table', { name: 'Circuit breaker state' }).getByRole('row', { name: /^ai-coach-service / });
      await expect(row).toContainText('tripped', { timeout: 30_000 });
      // Cells: service, state, ejected hosts, ejections (total).
      await expect.poll(async () => Number(await row.getByRole('cell').nth(3).textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
      // The DestinationRule's row carries the live state too.
      await expect(page.getByRole('table', { name: 'DestinationRules' }).getByRole('row', { name: /^ai-coach-service / })).toContainText('tripped');
      await expect(page.getByRole('img', { name: /503 and 504 responses per second/ })).toBeVisible();
    } finally {
      await scenario('default');
    }
  });

  test('the live breaker table shows the selected namespace only: nothing for bookinfo, only its own services for ai-nutritionist', async ({ page }) => {
    ensureBookinfo();
    const seed = kubectl('get', 'services', '-n', 'ai-nutritionist', '-o', 'jsonpath={.items[*].metadata.name}').split(' ');
    const live = page.getByRole('region', { name: 'Circuit breakers now' });

    await page.goto(`/resilience?namespace=${BOOKINFO}`);
    await expect(live).toContainText(`No live data for ${BOOKINFO}`, { timeout: 20_000 });
    await expect(live.getByRole('table', { name: 'Circuit breaker state' })).toHaveCount(0);
    for (const service of seed) await expect(live).not.toContainText(service);

    await page.goto('/resilience?namespace=ai-nutritionist');
    const table = live.getByRole('table', { name: 'Circuit breaker state' });
    await expect(table.getByRole('cell').first()).toBeVisible({ timeout: 20_000 });
    // The first cell of each body row names the service.
    const rows = table.getByRole('row').filter({ has: page.getByRole('cell') });
    const shown = await Promise.all((await rows.all()).map((r) => r.getByRole('cell').first().innerText()));
    expect(shown.length).toBeGreaterThan(0);
    for (const service of shown) expect(seed).toContain(service);
    const answer = (await (await page.request.get('/api/resilience/live?namespace=ai-nutritionist')).json()) as { status: { namespace: string }[] };
    expect(new Set(answer.status.map((s) => s.namespace))).toEqual(new Set(['ai-nutritionist']));
  });

  test('on a phone the tables keep to the screen: host and live state in each row, the editor full screen', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/resilience?namespace=ai-nutritionist');
    const rules = page.getByRole('table', { name: 'DestinationRules' });
    await expect(rules.getByRole('columnheader')).toHaveText(['Host', 'Live']);
    await expect(rules.getByRole('row', { name: /^payment-service / })).toContainText(/closed|tripped/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await rules.getByRole('row', { name: /^payment-service / }).click();
    const drawer = page.getByRole('dialog', { name: 'DestinationRule ai-nutritionist/payment-service' });
    await expect(drawer.getByRole('textbox', { name: 'payment-service all subsets Connect timeout' })).toBeVisible();
    expect((await drawer.boundingBox())?.width).toBe(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  });
});
