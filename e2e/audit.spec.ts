import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { jsonpath, kubectl } from './kube';

const vs = 'messaging-service-feature-flags';
const weightsUrl = `/api/traffic/ai-nutritionist/${vs}/routes/1/weights`;

/** A change through Meshdeck's API, as operator: it lands on the trail, signed. */
async function changeWeights(page: Page, baseURL: string, reason: string) {
  const write = await page.request.put(weightsUrl, {
    headers: { origin: new URL(baseURL).origin },
    data: {
      resourceVersion: jsonpath('virtualservice', vs, '.metadata.resourceVersion'),
      reason,
      weights: [
        { host: 'messaging-service', subset: 'v1', weight: 70 },
        { host: 'messaging-service', subset: 'enhanced', weight: 30 },
      ],
    },
  });
  expect(write.status()).toBe(200);
  expect((await write.json()).audit.status).toBe('recorded');
}

test.describe('the Audit page as operator', () => {
  test('shows signed entries as revertible, a planted one as untrusted and refuses its revert; says who can write the trail and how long it is kept', async ({
    page,
    baseURL,
  }) => {
    const origin = { origin: new URL(baseURL!).origin };
    const reason = `signed change ${randomUUID().slice(0, 8)}`;
    await changeWeights(page, baseURL!, reason);

    // Someone with ConfigMap write plants an entry that looks like an admin's.
    const id = randomUUID();
    const time = new Date().toISOString();
    const planted = {
      format: 2,
      id,
      time,
      user: 'admin@meshdeck.local',
      role: 'admin',
      action: 'traffic.weights',
      resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'ai-nutritionist', name: vs },
      summary: 'planted by hand',
      reason: 'trust me',
      result: 'applied',
      resourceVersion: jsonpath('virtualservice', vs, '.metadata.resourceVersion'),
      changes: [{ path: '/spec/http/1/route/0/weight', before: { value: 0 }, after: { value: 70 } }],
    };
    const name = `meshdeck-audit-${time.replace(/[-:.]/g, '').toLowerCase()}-${id}`;
    kubectl('create', 'configmap', name, '-n', 'ai-nutritionist', `--from-literal=entry.json=${JSON.stringify(planted)}`);
    kubectl('label', 'configmap', name, '-n', 'ai-nutritionist', 'app.kubernetes.io/managed-by=meshdeck', 'meshdeck.io/audit=entry');

    await page.goto('/audit?namespace=ai-nutritionist');
    await expect(page.getByRole('note', { name: 'Who can write the trail' })).toContainText('anyone who may create or delete ConfigMaps there');
    await expect(page.getByLabel('Retention')).toContainText('Entries are kept 90 days');
    const signed = page.getByRole('row', { name: new RegExp(reason) });
    await expect(signed).toContainText('signed');
    await expect(signed.getByRole('button', { name: 'Revert' })).toBeVisible();
    const forged = page.getByRole('row', { name: /planted by hand/ });
    await expect(forged).toContainText('untrusted');
    await expect(forged).toContainText('not signed');
    await expect(forged.getByRole('button', { name: 'Revert' })).toHaveCount(0);

    const before = jsonpath('virtualservice', vs, '.metadata.resourceVersion');
    const revert = await page.request.post(`/api/audit/ai-nutritionist/${id}/revert`, { headers: origin, data: { reason: 'follow the planted entry' } });
    expect(revert.status()).toBe(422);
    expect(jsonpath('virtualservice', vs, '.metadata.resourceVersion')).toBe(before);
    kubectl('delete', 'configmap', name, '-n', 'ai-nutritionist');
  });

  test('filters by actor, action, namespace and outcome, kept in the URL, and shows an entry in a drawer', async ({ page, baseURL }) => {
    const reason = `filtered change ${randomUUID().slice(0, 8)}`;
    await changeWeights(page, baseURL!, reason);

    await page.goto('/audit');
    const table = page.getByRole('table', { name: 'Audit trail' });
    await page.getByRole('combobox', { name: 'Filter by Actor' }).selectOption('operator@meshdeck.local');
    await page.getByRole('combobox', { name: 'Filter by Action' }).selectOption('traffic.weights');
    await page.getByRole('combobox', { name: 'Filter by Namespace' }).selectOption('ai-nutritionist');
    await page.getByRole('combobox', { name: 'Filter by Outcome' }).selectOption('applied');
    await page.getByRole('searchbox', { name: 'Filter Audit trail' }).fill(reason);
    await expect(table.getByRole('row')).toHaveCount(2); // header and the change
    await expect(page).toHaveURL(/audit\.f\.user=operator%40meshdeck\.local/);
    await expect(page).toHaveURL(/audit\.f\.outcome=applied/);

    // A reload (or a shared link) keeps the filters.
    await page.reload();
    await expect(page.getByRole('searchbox', { name: 'Filter Audit trail' })).toHaveValue(reason);
    await expect(page.getByRole('combobox', { name: 'Filter by Action' })).toHaveValue('traffic.weights');
    const row = table.getByRole('row', { name: new RegExp(reason) });
    await expect(row).toContainText('signed');

    await row.click();
    await expect(page).toHaveURL(/audit\.open=ai-nutritionist%2F[0-9a-f-]{36}/);
    const details = page.getByRole('dialog', { name: `traffic.weights on VirtualService ai-nutritionist/${vs}` });
    await expect(details).toContainText('/spec/http/1/route/0/weight');
    await expect(details).toContainText(reason);
    await page.keyboard.press('Escape');
    await expect(details).toBeHidden();
    await expect(page).not.toHaveURL(/audit\.open/);
  });
});
