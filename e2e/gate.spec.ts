// The analysis gate before a write, as an operator and an admin meet it on the Traffic page: a
// route has a destination at 0 % on a subset no DestinationRule defines (kubectl put it there;
// harmless while it gets no traffic). Moving weight onto it is refused at review with Istio's
// IST0101; the operator cannot override; an admin overrides with a reason, and the Audit page
// shows the override.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { AUTH_DIR } from '../playwright.config';
import { jsonpath, kubectl } from './kube';
import { openRoute } from './traffic-page';

const NS = 'ai-nutritionist';
const VS = 'gate-ledger';
const IST0101 = `Referenced host+subset in destinationrule not found: "${VS}+v3"`;

const scene = `
apiVersion: v1
kind: Service
metadata: { name: ${VS}, namespace: ${NS} }
spec: { selector: { app: ${VS} }, ports: [{ name: http, port: 8080 }] }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ${VS}, namespace: ${NS} }
spec: { host: ${VS}, subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }] }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${VS}, namespace: ${NS} }
spec:
  hosts: [${VS}]
  http:
    - name: primary
      route:
        - { destination: { host: ${VS}, subset: v1 }, weight: 100 }
        - { destination: { host: ${VS}, subset: v2 }, weight: 0 }
        - { destination: { host: ${VS}, subset: v3 }, weight: 0 }
`;

// In order: the operator's refusals first (the route unchanged), then the admin's override.
test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
  const file = join(mkdtempSync(join(tmpdir(), 'meshdeck-gate-')), 'scene.yaml');
  writeFileSync(file, scene);
  kubectl('apply', '-f', file);
});
test.afterAll(() => {
  kubectl('delete', 'virtualservice,destinationrule,service', VS, '-n', NS, '--ignore-not-found');
});

/** Opens the route, gives v3 10 % and asks for the review; returns the review section. */
async function reviewTrafficToV3(page: Page, reason: string) {
  await page.goto(`/traffic?namespace=${NS}`);
  const route = await openRoute(page, VS, 'primary');
  await route.getByRole('spinbutton', { name: `${VS} v3 weight percent` }).fill('10');
  const review = route.getByRole('region', { name: `Review of ${VS} route primary` });
  await review.getByLabel('Reason for this change').fill(reason);
  await review.getByRole('button', { name: 'Review change' }).click();
  const heading = review.getByRole('heading', { name: /Errors on destinations this change starts sending traffic to/ });
  await expect(heading).toBeVisible();
  const findings = review.getByRole('list', { name: /Errors on destinations this change starts sending traffic to/ });
  await expect(findings.getByRole('listitem')).toHaveCount(1);
  await expect(findings.getByRole('listitem')).toContainText('IST0101');
  await expect(findings.getByRole('listitem')).toContainText(IST0101);
  await expect(findings.getByRole('listitem')).toContainText(`VirtualService ${NS}/${VS} at spec.http[0].route[2].destination.subset`);
  await expect(review.getByRole('alert')).toContainText('This change cannot be applied: it sends traffic to a destination with an Error-level finding');
  await expect(review.getByRole('button', { name: 'Apply', exact: true })).toBeDisabled();
  return { route, review };
}

test.describe('the analysis gate', () => {
  test('refuses at review a weight change that routes to an undefined subset; an operator cannot override', async ({ page, baseURL }) => {
    const { review } = await reviewTrafficToV3(page, 'try v3 with some traffic');
    await expect(review.getByRole('alert')).toContainText('only an admin can override the analysis');
    await expect(review.getByRole('button', { name: 'Override and apply' })).toHaveCount(0);
    expect(jsonpath('virtualservice', VS, '.spec.http[0].route[*].weight')).toBe('100 0 0');

    // The API says the same to an operator who sends an override anyway, and writes nothing.
    const weights = [90, 0, 10].map((weight, i) => ({ host: VS, subset: `v${i + 1}`, weight }));
    const write = (override?: { reason: string }) =>
      page.request.put(`/api/traffic/${NS}/${VS}/routes/0/weights`, {
        headers: { origin: new URL(baseURL!).origin },
        data: {
          resourceVersion: jsonpath('virtualservice', VS, '.metadata.resourceVersion'),
          reason: 'operator insists on v3',
          weights,
          ...(override ? { override } : {}),
        },
      });
    const refused = await write();
    expect(refused.status()).toBe(422);
    expect((await refused.json()).error.message).toContain('IST0101');
    const overridden = await write({ reason: 'I know better' });
    expect(overridden.status()).toBe(403);
    expect((await overridden.json()).error.message).toContain('needs the admin role');
    expect(jsonpath('virtualservice', VS, '.spec.http[0].route[*].weight')).toBe('100 0 0');
  });

  test.describe('as admin', () => {
    test.use({ storageState: `${AUTH_DIR}/admin.json` });

    test('an admin overrides with a reason, the change applies, and the Audit page shows the override', async ({ page }) => {
      const reason = `v3 for the incident ${randomUUID().slice(0, 8)}`;
      const { route, review } = await reviewTrafficToV3(page, reason);
      await expect(review.getByRole('alert')).toContainText('override the analysis below with a reason');
      const override = review.getByRole('group', { name: 'Override the analysis' });
      const overrideButton = override.getByRole('button', { name: 'Override and apply' });
      await expect(overrideButton).toBeDisabled();
      await override.getByLabel('Override reason (kept in the audit trail)').fill('the v3 subset lands with the next deploy');
      await overrideButton.click();
      await expect(route.getByRole('status')).toContainText(`Applied to ${VS}: v1 90% / v2 0% / v3 10%`);
      expect(jsonpath('virtualservice', VS, '.spec.http[0].route[*].weight')).toBe('90 0 10');

      await page.keyboard.press('Escape');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
      const row = page.getByRole('row', { name: new RegExp(reason) });
      await expect(row).toContainText('admin@meshdeck.local');
      await row.click();
      const details = page.getByRole('dialog', { name: `traffic.weights on VirtualService ${NS}/${VS}` });
      await expect(details).toContainText('Applied despite the analysis, by an admin: the v3 subset lands with the next deploy');
      const overridden = details.getByRole('list', { name: 'Findings overridden' }).getByRole('listitem');
      await expect(overridden).toHaveCount(1);
      await expect(overridden).toContainText(`IST0101 VirtualService ${NS}/${VS} at spec.http[0].route[2].destination.subset: ${IST0101}`);
    });
  });
});
