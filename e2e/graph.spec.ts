// The service graph on the seed mesh, read through its text alternative (the tables of nodes and
// edges) and its side panel: the mesh as drawn, a canary split moved on the Traffic page, a
// failing AI coach and a namespace lowered to PERMISSIVE with a client outside the mesh.
// Each test puts back what it changes (the scenario, the split, the emergency).
import { expect, test, type Page } from '@playwright/test';
import { errorLevel } from '../components/graph/graph-style';
import { E2E_PROMETHEUS_URL, TRAFFIC_PORT } from '../playwright.config';
import { onOwnDashboard } from './dashboard-process';
import { cellText, edgeRow, end, expectDrawn, GRAPH, nodeRow, percentValue, rateValue, REFRESH_MS, value } from './graph-page';
import { jsonpath, kubectl } from './kube';
import { openRoute } from './traffic-page';

const NAMESPACE = 'ai-nutritionist';
const SERVICES = ['nutrition-service', 'ai-coach-service', 'messaging-service', 'payment-service', 'health-tracking-service'];
const GATEWAY = end('istio-ingressgateway', 'gateway');
const service = (name: string) => end(name, 'service');

const scenario = (name: string) => fetch(`http://127.0.0.1:${TRAFFIC_PORT}/scenario?name=${name}`, { method: 'POST' }).then((r) => expect(r.status).toBe(200));

/** The canary split of nutrition-service (route default-split, http[3] of nutrition-service-canary): "stable canary". */
const CANARY_VS = 'nutrition-service-canary';
const splitNow = () => jsonpath('virtualservice', CANARY_VS, '.spec.http[3].route[*].weight');
const setSplit = (stable: number, canary: number) =>
  kubectl(
    'patch',
    'virtualservice',
    CANARY_VS,
    '-n',
    NAMESPACE,
    '--type=json',
    `-p=[{"op":"replace","path":"/spec/http/3/route/0/weight","value":${stable}},{"op":"replace","path":"/spec/http/3/route/1/weight","value":${canary}}]`,
  );

/** The drawn share of nutrition-service's requests that one of its versions gets (the service → version edge's Share). */
const share = (page: Page, version: string) =>
  value(page, 'edges', edgeRow(page, service('nutrition-service'), end(`nutrition-service ${version}`), 'nutrition-service'), 'Share', percentValue);

test.describe('service graph', () => {
  test('draws the five services, the gateway and their edges, each with traffic', async ({ page }) => {
    await page.goto(GRAPH);
    await expectDrawn(page);

    await expect.poll(() => value(page, 'nodes', nodeRow(page, 'gateway', 'istio-ingressgateway'), 'Out rps', rateValue)).toBeGreaterThan(0);
    for (const name of SERVICES) {
      await expect.poll(() => value(page, 'nodes', nodeRow(page, 'service', name), 'In rps', rateValue), { message: `${name} in rps` }).toBeGreaterThan(0);
      // The gateway calls every service of the seed; every service answers through its versions.
      await expect
        .poll(() => value(page, 'edges', edgeRow(page, GATEWAY, service(name), name), 'Rate', rateValue), { message: `gateway → ${name}` })
        .toBeGreaterThan(0);
      const versions = await edgeRow(page, service(name), new RegExp(`^${name} \\S+$`), name);
      await expect(versions.first()).toBeVisible();
      const rates = await Promise.all((await versions.all()).map((row) => cellText(page, 'edges', row, 'Rate').then(rateValue)));
      expect(Math.max(...rates), `${name}'s busiest version`).toBeGreaterThan(0);
    }
    // The calls between services: the AI coach asks nutrition for profiles, payments send receipts.
    await expect
      .poll(() => value(page, 'edges', edgeRow(page, end('ai-coach-service algorithm-a'), service('nutrition-service'), 'algorithm-a'), 'Rate', rateValue))
      .toBeGreaterThan(0);
    await expect
      .poll(() => value(page, 'edges', edgeRow(page, end('payment-service blue'), service('messaging-service'), 'blue'), 'Rate', rateValue))
      .toBeGreaterThan(0);
  });

  test('moving the nutrition canary to 50 % on the Traffic page changes the drawn shares within one refresh', async ({ page, context }) => {
    test.setTimeout(150_000);
    const before = splitNow();
    try {
      // A known start: stable 95 / canary 5, as seeded (another spec may have moved it).
      if (before !== '95 5') setSplit(95, 5);
      await page.goto(GRAPH);
      await expectDrawn(page);
      await expect.poll(() => share(page, 'canary'), { timeout: 60_000, message: 'the canary share at 95/5' }).toBeLessThan(0.25);
      const start = await share(page, 'canary');

      // The operator moves the split in another tab.
      const traffic = await context.newPage();
      await traffic.goto(`/traffic?namespace=${NAMESPACE}`);
      const split = await openRoute(traffic, CANARY_VS, 'default-split');
      await split.getByRole('spinbutton', { name: 'nutrition-service canary weight percent' }).fill('50');
      await split.getByLabel('Reason for this change').fill('half the traffic to the canary');
      await split.getByRole('button', { name: 'Review change' }).click();
      await split.getByRole('button', { name: 'Apply' }).click();
      await expect(split.getByRole('status')).toContainText('stable 50% / canary 50%');
      await traffic.close();
      expect(splitNow()).toBe('50 50');

      // The next refresh already draws a larger canary share (the 30 s window still holds old traffic) …
      await expect
        .poll(() => share(page, 'canary'), { timeout: REFRESH_MS + 5_000, message: 'the canary share one refresh later' })
        .toBeGreaterThan(start + 0.05);
      // … and once the window holds only the new split, about half (the header routes add a little to the canary).
      await expect.poll(() => share(page, 'canary'), { timeout: 30_000 + 2 * REFRESH_MS }).toBeGreaterThan(0.4);
      expect(await share(page, 'stable')).toBeLessThan(0.6);
    } finally {
      const [stable, canary] = before.split(' ').map(Number);
      setSplit(stable!, canary!);
    }
  });

  test('under a failing AI coach, its edge is in error and its side panel shows the tripped breaker', async ({ page }) => {
    test.setTimeout(120_000);
    await scenario('ai-coach-failing');
    try {
      await page.goto(GRAPH);
      await expectDrawn(page);
      // The canvas colours an edge by errorLevel of its error share; the table says the share.
      const intoCoach = () => value(page, 'edges', edgeRow(page, GATEWAY, service('ai-coach-service'), 'ai-coach-service'), '5xx %', percentValue);
      await expect.poll(async () => errorLevel((await intoCoach()) || 0), { timeout: 45_000 }).toBe('bad');
      // …and says so in words, not only in colour.
      expect(await cellText(page, 'edges', await edgeRow(page, GATEWAY, service('ai-coach-service'), 'ai-coach-service'), '5xx %')).toMatch(/error level/);
      await expect
        .poll(async () => errorLevel((await value(page, 'nodes', nodeRow(page, 'service', 'ai-coach-service'), 'Error %', percentValue)) || 0))
        .toBe('bad');

      // Selecting the service's row opens its side panel, as a click on the canvas does.
      await (await nodeRow(page, 'service', 'ai-coach-service')).click();
      await expect(page).toHaveURL(/selected=service%7Cai-nutritionist%7Cai-coach-service%7C/);
      const breaker = page.getByRole('complementary', { name: /ai-coach-service/ }).getByRole('region', { name: 'Circuit breaker' });
      await expect(breaker.getByText('Tripped', { exact: true })).toBeVisible({ timeout: 45_000 });
    } finally {
      await scenario('default');
    }
  });

  test('with the namespace PERMISSIVE, the plaintext client shows as a plaintext edge from "unknown"', async ({ browser }) => {
    test.setTimeout(180_000);
    // The seed scenario's client outside the mesh (plaintextRate) calls nutrition-service; STRICT refuses it.
    await scenario('default');
    // The emergency is offered only where its automatic revert is armed: a dashboard of its own with the reconciler.
    await onOwnDashboard(browser, { MESHDECK_EMERGENCY_RECONCILER: '1', MESHDECK_PROMETHEUS_URL: E2E_PROMETHEUS_URL }, 'admin', async (page) => {
      try {
        await page.goto(`/security?namespace=${NAMESPACE}`);
        await page.getByRole('button', { name: 'Emergency PERMISSIVE…' }).click();
        const form = page.getByRole('dialog', { name: 'Emergency PERMISSIVE' }).getByRole('form', { name: 'Start an emergency' });
        await form.getByRole('combobox', { name: 'Namespace' }).selectOption(NAMESPACE);
        await form.getByRole('textbox', { name: 'Type the namespace name to confirm' }).fill(NAMESPACE);
        await form.getByRole('textbox', { name: 'Reason' }).fill('a partner without a mesh certificate');
        await form.getByRole('spinbutton', { name: /Revert after/ }).fill('5');
        await form.getByRole('button', { name: `Switch ${NAMESPACE} to PERMISSIVE` }).click();
        await expect(form.getByRole('status')).toContainText('PERMISSIVE until the deadline');
        expect(jsonpath('peerauthentication', 'default', '.spec.mtls.mode')).toBe('PERMISSIVE');

        await page.goto(GRAPH);
        await expectDrawn(page);
        const plaintext = () => edgeRow(page, end('unknown', 'unknown'), service('nutrition-service'), 'unknown');
        await expect.poll(async () => (await plaintext()).count(), { timeout: 45_000, message: 'an edge from unknown' }).toBe(1);
        await expect.poll(async () => cellText(page, 'edges', await plaintext(), 'mTLS'), { timeout: 20_000 }).toMatch(/plaintext 100%/);
        expect(rateValue(await cellText(page, 'edges', await plaintext(), 'Rate'))).toBeGreaterThan(0);

        // Its details say so too.
        await (await plaintext()).click();
        await expect(page.getByRole('complementary', { name: /unknown → nutrition-service/ }).getByRole('note')).toContainText('Plaintext');
      } finally {
        if (jsonpath('peerauthentication', 'default', '.spec.mtls.mode') !== 'STRICT') {
          const restored = await page.request.post(`/api/security/emergency/${NAMESPACE}/restore`, { data: { reason: 'e2e: graph plaintext check done' } });
          expect(restored.status(), await restored.text()).toBe(200);
          expect(jsonpath('peerauthentication', 'default', '.spec.mtls.mode')).toBe('STRICT');
        }
      }
    });
  });
});
