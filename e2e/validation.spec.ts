import { expect, test, type Page, type Request } from '@playwright/test';
import { jsonpath, kubectl } from './kube';

// The Validation page follows the cluster: a gateway reference broken with kubectl shows as a
// finding without a reload (the live stream pushes the analysis' new findings), and goes when it
// is repaired. The row badges of Traffic link to the object's findings.
const NAMESPACE = 'ai-nutritionist';
const VS = 'ai-nutritionist-traffic-management';
const MISSING = 'missing-gw';
const BROKEN = `Referenced gateway not found: "${MISSING}"`;

const setGateways = (gateways: string[]) =>
  kubectl('patch', 'virtualservice', VS, '-n', NAMESPACE, '--type=merge', `-p=${JSON.stringify({ spec: { gateways } })}`);

const findings = (page: Page) => page.getByRole('table', { name: 'Findings' });
const brokenRow = (page: Page) => findings(page).getByRole('row').filter({ hasText: BROKEN });

/** Opens the Validation page and waits until its stream carries the namespace's findings. */
async function openValidation(page: Page, query = '') {
  const streaming = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/events' && r.url().includes(encodeURIComponent(`validation:${NAMESPACE}`)));
  await page.goto(`/validation?namespace=${NAMESPACE}${query}`);
  await expect(findings(page)).toBeVisible();
  expect((await streaming).status()).toBe(200);
}

test.describe('validation', () => {
  let original: string[];
  test.beforeAll(() => {
    original = JSON.parse(jsonpath('virtualservice', VS, '.spec.gateways')) as string[];
  });
  // Each test starts from, and leaves, the gateways the sample mesh ships with.
  test.afterEach(() => setGateways(original));

  test('a gateway reference broken with kubectl shows on the Validation page without a reload, and goes when repaired', async ({ page }) => {
    const requests: Request[] = [];
    let loads = 0;
    await openValidation(page);
    page.on('request', (request) => requests.push(request));
    page.on('load', () => loads++);
    await expect(page.getByRole('list', { name: 'Findings by level' })).toContainText(/\d+ errors?/);
    await expect(brokenRow(page)).toHaveCount(0);

    setGateways([MISSING]);
    const row = brokenRow(page);
    await expect(row).toHaveCount(1);
    await expect(row.getByText('IST0101')).toHaveAttribute('title', /^ReferencedResourceNotFound: /);
    await expect(row.getByText('spec.gateways[0]')).toBeVisible();
    // The object links to the page that shows it: Traffic, filtered to this VirtualService.
    await expect(row.getByRole('link', { name: VS })).toHaveAttribute('href', `/traffic?namespace=${NAMESPACE}&routes.q=${VS}`);

    // The details on demand: the code's name and description, the field.
    await row.getByText('IST0101').click();
    const drawer = page.getByRole('dialog', { name: `IST0101 on VirtualService ${NAMESPACE}/${VS}` });
    await expect(drawer).toContainText('ReferencedResourceNotFound');
    await expect(drawer).toContainText('A resource being referenced does not exist.');
    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();

    setGateways(original);
    await expect(brokenRow(page)).toHaveCount(0);
    // Pushed, not fetched again: the page never asked /api/validation, and never reloaded.
    expect(requests.map((r) => `${r.method()} ${new URL(r.url()).pathname}`).filter((r) => r.endsWith(' /api/validation'))).toEqual([]);
    expect(loads).toBe(0);
  });

  test("a Traffic row's badge leads to the object's findings", async ({ page }) => {
    setGateways([MISSING]);
    await page.goto(`/traffic?namespace=${NAMESPACE}&routes.q=${VS}`);
    const badge = page
      .getByRole('table', { name: 'Routes' })
      .getByRole('link', { name: new RegExp(`^\\d+ findings? on VirtualService ${VS}, worst Error: show in Validation$`) })
      .first();
    await badge.click();
    await expect(page).toHaveURL(new RegExp(`/validation\\?namespace=${NAMESPACE}&object=VirtualService%2F${NAMESPACE}%2F${VS}$`));
    await expect(page.getByRole('status').filter({ hasText: `Findings of VirtualService ${NAMESPACE}/${VS}` })).toBeVisible();
    await expect(brokenRow(page)).toHaveCount(1);
    // Every row is this object's.
    const rows = findings(page).getByRole('row');
    for (const row of await rows.all()) if (!(await row.getByRole('columnheader').count())) await expect(row).toContainText(VS);

    await page.getByRole('button', { name: 'Show all findings' }).click();
    await expect(page).toHaveURL(new RegExp(`/validation\\?namespace=${NAMESPACE}$`));
  });

  test('the API refuses a bad filter with a message, and filters by level, code and kind', async ({ request }) => {
    const bad = await request.get('/api/validation?level=fatal');
    expect(bad.status()).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('level must be one of Error, Warning, Info');
    expect((await request.get('/api/validation?code=IST9999')).status()).toBe(400);
    expect((await request.get('/api/validation?kind=Teapot')).status()).toBe(400);

    setGateways([MISSING]);
    await expect
      .poll(async () => {
        const answer = (await (await request.get(`/api/validation?namespace=${NAMESPACE}&level=error&code=IST0101&kind=VirtualService`)).json()) as {
          items: { name: string; message: string; level: string }[];
          codes: { code: string }[];
        };
        return answer.items.filter((f) => f.name === VS).map((f) => `${f.level} ${f.message}`);
      })
      .toEqual([`Error ${BROKEN}`]);
  });
});
