import { expect, test } from '@playwright/test';
import { signIn } from './sign-in';

// The dashboard whose kubeconfig points at an API server nobody runs: every page must say so.
test.describe('app shell without a reachable cluster', () => {
  test.beforeEach(async ({ page }) => signIn(page, 'viewer'));

  test('shows navigation, namespace selector, theme toggle and the cluster state', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');

    const namespace = page.getByRole('combobox', { name: 'Namespace', exact: true });
    await expect(namespace).toHaveValue('');
    await expect(namespace.getByRole('option', { name: 'All namespaces' })).toBeAttached();

    // The e2e server's kubeconfig points at a port nobody listens on.
    await expect(page.getByRole('status', { name: 'Cluster connection' })).toContainText('e2e-unreachable (unreachable)');
    await expect(page.getByRole('heading', { name: 'Cluster unreachable' })).toBeVisible();
    await expect(page.getByText('http://127.0.0.1:59999').first()).toBeVisible();
  });

  test('the Validation page says the configuration analysis cannot run, and why', async ({ page }) => {
    await page.goto('/validation');
    await expect(page.getByRole('heading', { level: 1, name: 'Validation' })).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'Could not load the configuration analysis.' })).toContainText('unreachable', { timeout: 20_000 });
  });

  test('keeps the namespace in the URL and in navigation links', async ({ page }) => {
    await page.goto('/?namespace=ai-nutritionist');
    await expect(page.getByRole('combobox', { name: 'Namespace', exact: true })).toHaveValue('ai-nutritionist');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' })).toHaveAttribute('href', '/?namespace=ai-nutritionist');
    await page.getByRole('combobox', { name: 'Namespace', exact: true }).selectOption('');
    await expect(page).toHaveURL(/\/$/);
  });

  test('switches to the dark theme and remembers it', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto('/');
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(15, 18, 23)');
    await page.reload();
    await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
  });

  test('health and readiness endpoints', async ({ page }) => {
    const request = page.request;
    const health = await request.get('/api/healthz');
    expect(health.status()).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await request.get('/api/readyz');
    expect(ready.status()).toBe(503);
    const body = await ready.json();
    expect(body.status).toBe('not-ready');
    expect(body.reason).toMatch(/unreachable/i);
  });

  test('the namespace API answers 503 with a reason when the cluster is down', async ({ page }) => {
    const request = page.request;
    const response = await request.get('/api/namespaces');
    expect(response.status()).toBe(503);
    const body = await response.json();
    expect(body.error.message).toMatch(/unreachable/i);
  });
});
