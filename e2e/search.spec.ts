import { expect, test } from '@playwright/test';

test.describe('the search box in the header', () => {
  test('finds by name, exact matches first, and opens the hit on its page with its drawer, from the keyboard', async ({ page }) => {
    await page.goto('/');
    const box = page.getByRole('combobox', { name: 'Search' });
    // "/" anywhere else focuses it.
    await page.getByRole('heading', { name: 'Overview' }).click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    await expect(box).toBeFocused();
    await box.fill('nutrition-service');
    await expect(box).toHaveAttribute('aria-expanded', 'true');
    const results = page.getByRole('listbox', { name: 'Search results' });
    const options = results.getByRole('option');
    // Exact names first (the DestinationRule, then the Service), longer names after.
    await expect(options.nth(0)).toContainText('nutrition-serviceDestinationRule');
    await expect(options.nth(1)).toContainText('nutrition-serviceService');
    await expect(results).toContainText('nutrition-service-canary');

    await box.press('ArrowDown');
    await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true');
    await expect(box).toHaveAttribute('aria-activedescendant', (await options.nth(0).getAttribute('id'))!);
    await box.press('Enter');
    await expect(page).toHaveURL(/\/resilience\?namespace=ai-nutritionist&rules\.q=nutrition-service&rule=ai-nutritionist%2Fnutrition-service$/);
    await expect(page.getByRole('dialog', { name: /nutrition-service/ })).toBeVisible();
    await expect(box).toHaveValue('');
  });

  test('finds VirtualServices by a host, and a click opens the Traffic page filtered to one', async ({ page }) => {
    await page.goto('/audit');
    const box = page.getByRole('combobox', { name: 'Search' });
    await box.fill('api.ai-nutritionist');
    const results = page.getByRole('listbox', { name: 'Search results' });
    const canary = results.getByRole('option', { name: /nutrition-service-canary/ });
    await expect(canary).toContainText('host api.ai-nutritionist.com');
    await expect(results.getByRole('option', { name: /AuthorizationPolicy/ })).toHaveCount(0);
    await canary.click();
    await expect(page).toHaveURL(/\/traffic\?namespace=ai-nutritionist&routes\.q=nutrition-service-canary$/);
    await expect(page.getByRole('searchbox', { name: /^Filter / })).toHaveValue('nutrition-service-canary');
  });

  test('Escape closes the list, a second Escape clears the box; no match says so', async ({ page }) => {
    await page.goto('/');
    const box = page.getByRole('combobox', { name: 'Search' });
    await box.fill('no-such-object-anywhere');
    await expect(page.getByRole('status').filter({ hasText: 'Nothing named or routing to “no-such-object-anywhere”.' })).toBeVisible();
    await box.press('Escape');
    await expect(box).toHaveAttribute('aria-expanded', 'false');
    await expect(box).toHaveValue('no-such-object-anywhere');
    await box.press('Escape');
    await expect(box).toHaveValue('');
  });

  test('the API answers from the caches, names what matched, and refuses an overlong query', async ({ request }) => {
    const found = await request.get('/api/search?q=ai-nutritionist/authz');
    expect(found.status()).toBe(200);
    const body = await found.json();
    expect(body.total).toBeGreaterThan(0);
    for (const hit of body.hits) expect(hit).toMatchObject({ kind: 'AuthorizationPolicy', namespace: 'ai-nutritionist', matchedOn: 'name' });
    expect(await (await request.get('/api/search')).json()).toEqual({ query: '', hits: [], total: 0 });
    const long = await request.get(`/api/search?q=${'a'.repeat(254)}`);
    expect(long.status()).toBe(400);
  });
});
