// The Traffic page as a console: a table of routes whose filters and open drawer live in the URL,
// sliders in the rows that take repeated mouse drags, live numbers from Prometheus beside every
// destination that follow the split, and a page that keeps working when Prometheus is absent.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { onOwnDashboard } from './dashboard-process';
import { jsonpath, kubectl } from './kube';
import { openRoute, rowNumbers, rowSlider } from './traffic-page';

const VS = 'nutrition-service-canary';
const setDefaultSplit = (stable: number, canary: number) =>
  kubectl(
    'patch',
    'virtualservice',
    VS,
    '-n',
    'ai-nutritionist',
    '--type=json',
    `-p=[{"op":"replace","path":"/spec/http/3/route/0/weight","value":${stable}},{"op":"replace","path":"/spec/http/3/route/1/weight","value":${canary}}]`,
  );

/** Presses on the slider where its value is, moves the mouse in steps to `target` % and lets go there. */
async function drag(page: Page, slider: Locator, target: number) {
  // In view, in the page and in the table's own scroll box: a press elsewhere would hit something else.
  await slider.scrollIntoViewIfNeeded();
  const box = (await slider.boundingBox())!;
  const y = box.y + box.height / 2;
  // Inside the track: its very edges are outside the element.
  const at = (value: number) => box.x + (box.width * Math.min(99, Math.max(1, value))) / 100;
  const from = Number(await slider.getAttribute('aria-valuenow'));
  await page.mouse.move(at(from), y);
  await page.mouse.down();
  for (let step = 1; step <= 8; step++) await page.mouse.move(at(from + ((target - from) * step) / 8), y);
  await page.mouse.up();
}

/** The requests/s a destination's live numbers show ("12.3 req/s"). */
async function requestsPerSecond(numbers: Locator): Promise<number> {
  const text = (await numbers.textContent()) ?? '';
  const match = /([\d.]+)(k?) req\/s/.exec(text);
  return match ? Number(match[1]) * (match[2] ? 1000 : 1) : NaN;
}

test.describe('the Traffic table', () => {
  test('a text filter and a facet narrow the rows, and the URL keeps them and the open route across a reload', async ({ page }) => {
    await page.goto('/traffic?namespace=ai-nutritionist');
    const table = page.getByRole('table', { name: 'Routes' });
    await expect(table.getByRole('row').nth(1)).toBeVisible();
    const all = await table.getByRole('row').count();

    await page.getByRole('searchbox', { name: 'Filter Routes' }).fill(VS);
    await expect(page).toHaveURL(/routes\.q=nutrition-service-canary/);
    await expect.poll(() => table.getByRole('row').count()).toBeLessThan(all);
    for (const row of await table.getByRole('row').all()) if ((await row.getAttribute('aria-rowindex')) !== '1') await expect(row).toContainText(VS);

    await page.getByRole('combobox', { name: 'Filter by Strategy' }).selectOption('canary');
    await expect(page).toHaveURL(/routes\.f\.strategy=canary/);
    const canaryRows = await table.getByRole('row').count();
    expect(canaryRows).toBeGreaterThan(1);
    for (const row of (await table.getByRole('row').all()).slice(1)) await expect(row).toContainText('canary');

    await page.getByRole('button', { name: `Open route default-split of ${VS}`, exact: true }).click();
    const drawer = page.getByRole('dialog', { name: `Route default-split in ai-nutritionist/${VS}` });
    await expect(drawer).toBeVisible();
    await expect(page).toHaveURL(/route=ai-nutritionist%2Fnutrition-service-canary%2F3/);

    await page.reload();
    await expect(page.getByRole('searchbox', { name: 'Filter Routes' })).toHaveValue(VS);
    await expect(page.getByRole('combobox', { name: 'Filter by Strategy' })).toHaveValue('canary');
    await expect(drawer).toBeVisible();
    await expect(drawer.getByRole('region', { name: `Route default-split of ${VS}` })).toBeVisible();
    await expect(table.getByRole('row')).toHaveCount(canaryRows);

    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();
    await expect(page).not.toHaveURL(/[?&]route=/);
  });

  test('three mouse drags in a row on the same slider each land where they were dropped', async ({ page }) => {
    setDefaultSplit(95, 5);
    await page.goto(`/traffic?namespace=ai-nutritionist&routes.q=${VS}`);
    const canary = rowSlider(page, 'nutrition-service canary', VS, 'default-split');
    const stable = rowSlider(page, 'nutrition-service stable', VS, 'default-split');
    await expect(canary).toHaveAttribute('aria-valuenow', '5');
    for (const target of [40, 75, 20]) {
      await drag(page, canary, target);
      const now = Number(await canary.getAttribute('aria-valuenow'));
      expect(Math.abs(now - target), `dropped at ${target}, got ${now}`).toBeLessThanOrEqual(2);
      await expect(stable).toHaveAttribute('aria-valuenow', String(100 - now));
    }
    // The row's draft is the drawer's: Review opens it with the same split; Discard drops it.
    const landed = await canary.getAttribute('aria-valuenow');
    await page.getByRole('button', { name: `Review change in ${VS} route default-split` }).click();
    const split = page.getByRole('dialog').getByRole('region', { name: `Route default-split of ${VS}` });
    await expect(split.getByRole('slider', { name: 'nutrition-service canary weight' })).toHaveAttribute('aria-valuenow', landed!);
    await expect(split.getByText(`5% now → ${landed}% after apply`)).toBeVisible();
    await split.getByRole('button', { name: 'Discard' }).click();
    await page.keyboard.press('Escape');
    await expect(canary).toHaveAttribute('aria-valuenow', '5');
    expect(jsonpath('virtualservice', VS, '.spec.http[3].route[*].weight')).toBe('95 5');
  });

  test('live numbers beside a split: the canary gets more requests once the split gives it more, and is compared with stable', async ({ page }) => {
    test.setTimeout(150_000);
    setDefaultSplit(95, 5);
    await page.goto(`/traffic?namespace=ai-nutritionist&refresh=5&routes.q=${VS}`);
    await expect(page.getByRole('status', { name: 'Live numbers' })).toContainText('Live numbers from Prometheus over the last 5m');
    const canary = rowNumbers(page, 'nutrition-service canary', VS, 'default-split');
    const stable = rowNumbers(page, 'nutrition-service stable', VS, 'default-split');
    await expect(canary).toContainText(/req\/s/, { timeout: 60_000 });
    await expect(canary).toContainText(/5xx/);
    await expect(canary).toContainText(/P99/);
    await expect(stable).toContainText(/req\/s/);
    // The canary, not stable, carries the better/worse marker against stable.
    await expect(canary).toContainText(/(worse|better) than stable|same as stable/);
    await expect(stable).not.toContainText(/than stable|as stable/);
    const before = await requestsPerSecond(canary);

    // Most of the traffic to the canary (as a person at a terminal would): its requests/s rise.
    setDefaultSplit(10, 90);
    await expect(rowSlider(page, 'nutrition-service canary', VS, 'default-split')).toHaveAttribute('aria-valuenow', '90');
    try {
      await expect.poll(() => requestsPerSecond(canary), { timeout: 100_000, intervals: [5000] }).toBeGreaterThan(before * 1.25);
    } finally {
      setDefaultSplit(95, 5);
    }
  });
});

test('without Prometheus the sliders still work and the numbers say why they are missing', async ({ browser }) => {
  // No MESHDECK_PROMETHEUS_URL: Prometheus is not configured at all.
  await onOwnDashboard(browser, { MESHDECK_PROMETHEUS_URL: '' }, 'operator', async (page) => {
    await page.goto(`/traffic?namespace=ai-nutritionist&routes.q=${VS}`);
    await expect(page.getByRole('status', { name: 'Live numbers' })).toContainText(
      'Live numbers unavailable: Prometheus is not configured: set MESHDECK_PROMETHEUS_URL. The sliders work without them.',
    );
    const numbers = rowNumbers(page, 'nutrition-service canary', VS, 'default-split');
    await expect(numbers).toHaveText('no numbers');
    await expect(numbers).toHaveAttribute('title', /Prometheus is not configured/);

    const canary = rowSlider(page, 'nutrition-service canary', VS, 'default-split');
    const before = Number(await canary.getAttribute('aria-valuenow'));
    await canary.focus();
    await page.keyboard.press('PageUp');
    await expect(canary).toHaveAttribute('aria-valuenow', String(before + 10));
    await drag(page, canary, 60);
    expect(Math.abs(Number(await canary.getAttribute('aria-valuenow')) - 60)).toBeLessThanOrEqual(2);
    const split = await openRoute(page, VS, 'default-split');
    await expect(split.getByRole('slider', { name: 'nutrition-service canary weight' })).toHaveAttribute('aria-valuenow', /^(58|59|60|61|62)$/);
    await expect(split.getByRole('group', { name: 'Live numbers of nutrition-service canary' })).toHaveText(/no numbers/);
    await split.getByRole('button', { name: 'Discard' }).click();
  });
});
