import { expect, test } from '@playwright/test';
import { AUTH_DIR } from '../playwright.config';
import { jsonpath, kubectl } from './kube';
import { openRoute } from './traffic-page';

const weightsUrl = '/api/traffic/ai-nutritionist/messaging-service-feature-flags/routes/1/weights';
const messagingBody = (v1: number, reason = 'e2e') => ({
  resourceVersion: jsonpath('virtualservice', 'messaging-service-feature-flags', '.metadata.resourceVersion'),
  reason,
  weights: [
    { host: 'messaging-service', subset: 'v1', weight: v1 },
    { host: 'messaging-service', subset: 'enhanced', weight: 100 - v1 },
  ],
});

test.describe('signed out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('pages send you to sign-in and the API answers 401', async ({ page, request }) => {
    await page.goto('/traffic');
    await expect(page).toHaveURL(/\/signin$/);
    await expect(page.getByRole('heading', { name: 'Sign in to Meshdeck' })).toBeVisible();
    const write = await request.put(weightsUrl, { data: messagingBody(90) });
    expect(write.status()).toBe(401);
    expect((await write.json()).error.message).toBe('Sign in to use Meshdeck');
    expect((await request.get('/api/traffic')).status()).toBe(401);
  });

  test('a wrong password is refused', async ({ page }) => {
    await page.goto('/signin');
    const form = page.getByRole('form', { name: 'Demo sign-in' });
    await form.getByLabel('Password').fill('guess');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await expect(form.getByRole('alert')).toHaveText('Wrong user or password.');
  });
});

test.describe('as viewer', () => {
  test.use({ storageState: `${AUTH_DIR}/viewer.json` });

  test('sees the mesh but no enabled write control', async ({ page }) => {
    await page.goto('/traffic?namespace=ai-nutritionist');
    await expect(page.getByRole('group', { name: 'Signed-in user' })).toContainText('viewer');
    const sliders = page.getByRole('table', { name: 'Routes' }).getByRole('slider');
    await expect(sliders.first()).toBeVisible();
    for (const slider of await sliders.all()) await expect(slider).toHaveAttribute('aria-disabled', 'true');
    await expect(page.getByRole('main').getByText('Your role (viewer) can view this but not change it').first()).toBeVisible();
    // The route's editor in the drawer: every write control disabled, no match editor.
    const split = await openRoute(page, 'nutrition-service-canary', 'default-split');
    for (const slider of await split.getByRole('slider').all()) await expect(slider).toHaveAttribute('aria-disabled', 'true');
    for (const input of await split.getByRole('spinbutton').all()) await expect(input).toBeDisabled();
    for (const button of await split.getByRole('button').all()) await expect(button).toBeDisabled();
    await expect(split.getByRole('button', { name: /Edit match rules/ })).toHaveCount(0);
    await expect(split.getByText('Your role (viewer) can view this but not change it')).toBeVisible();
  });

  test("a viewer's write is refused with 403 and changes nothing", async ({ page }) => {
    const before = jsonpath('virtualservice', 'messaging-service-feature-flags', '.metadata.resourceVersion');
    const write = await page.request.put(weightsUrl, { data: messagingBody(90) });
    expect(write.status()).toBe(403);
    expect((await write.json()).error.message).toContain('Your role (viewer) cannot do this: it needs operator');
    expect(jsonpath('virtualservice', 'messaging-service-feature-flags', '.metadata.resourceVersion')).toBe(before);
  });
});

test.describe('as operator', () => {
  test('a change shows on the Audit page with its reason, and reverting it restores the weights', async ({ page, baseURL }) => {
    // Whatever split an earlier spec left: the entry shows it as the before, and the revert restores it.
    const [v1, enhanced] = jsonpath('virtualservice', 'messaging-service-feature-flags', '.spec.http[1].route[*].weight').split(' ');
    // A write needs this dashboard's Origin, as a browser sends it.
    const write = await page.request.put(weightsUrl, {
      headers: { origin: new URL(baseURL!).origin },
      data: messagingBody(80, 'more users on enhanced messaging'),
    });
    expect(write.status()).toBe(200);
    expect(jsonpath('virtualservice', 'messaging-service-feature-flags', '.spec.http[1].route[*].weight')).toBe('80 20');

    await page.goto('/audit?namespace=ai-nutritionist');
    const row = page.getByRole('row', { name: /more users on enhanced messaging/ });
    await expect(row).toContainText('operator@meshdeck.local');
    await expect(row).toContainText('traffic.weights');
    await expect(row).toContainText(`v1 ${v1}% / enhanced ${enhanced}% → v1 80% / enhanced 20%`);
    await expect(row).toContainText('signed');
    // The row's Revert opens the entry's details, where the revert asks for its reason.
    await row.getByRole('button', { name: 'Revert' }).click();
    const confirm = page.getByRole('dialog').getByRole('form', { name: /^Revert / });
    await confirm.getByLabel('Reason for the revert').fill('enhanced messaging doubles latency');
    await confirm.getByRole('button', { name: 'Review change' }).click();
    await expect(confirm.getByLabel(/^Change to the VirtualService/).locator('.diff-added')).toHaveText([/weight: \d+\s*$/, /weight: \d+\s*$/]);
    await confirm.getByRole('button', { name: 'Revert this change' }).click();
    await expect(page.getByRole('row', { name: /enhanced messaging doubles latency/ })).toContainText('audit.revert');
    expect(jsonpath('virtualservice', 'messaging-service-feature-flags', '.spec.http[1].route[*].weight')).toBe(`${v1} ${enhanced}`);
    const events = kubectl('get', 'events', '-n', 'ai-nutritionist', '-o', 'jsonpath={.items[?(@.reason=="MeshdeckChange")].message}');
    expect(events).toContain('more users on enhanced messaging');
  });

  test('pages carry the security headers', async ({ page }) => {
    const response = await page.goto('/');
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  });
});
