import { expect, test } from '@playwright/test';

// The dashboard connected to the sandbox as the meshdeck-dashboard service account.
test.describe('app shell on the sandbox mesh', () => {
  test('shows the connected context and the cluster namespaces', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('status', { name: 'Cluster connection' })).toContainText('meshdeck-dashboard');
    await expect(page.getByRole('heading', { name: 'Cluster unreachable' })).toHaveCount(0);

    const namespaces = page.getByRole('region', { name: 'Namespaces' });
    const row = namespaces.getByRole('row', { name: /ai-nutritionist/ });
    await expect(row).toContainText('Enabled');
    await expect(namespaces.getByRole('row', { name: /istio-system/ })).toContainText('Off');

    const select = page.getByRole('combobox', { name: 'Namespace' });
    await expect(select.getByRole('option', { name: 'ai-nutritionist' })).toBeAttached();
    await select.selectOption('ai-nutritionist');
    await expect(page).toHaveURL(/\?namespace=ai-nutritionist$/);
    await expect(namespaces.getByRole('row')).toHaveCount(2); // header and ai-nutritionist
    await expect(page.getByRole('region', { name: 'Connection' })).toContainText('v1.32.0-meshdeck-sandbox');
  });

  test('readiness reports the reachable API', async ({ request }) => {
    const ready = await request.get('/api/readyz');
    expect(ready.status()).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', context: 'meshdeck-dashboard' });
  });
});
