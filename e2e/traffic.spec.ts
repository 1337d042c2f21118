import { expect, test } from '@playwright/test';
import { jsonpath, kubectl } from './kube';
import { openRoute } from './traffic-page';

test.describe('traffic splits', () => {
  test('moves the nutrition canary from 5 to 25 with the keyboard, reviews the diff and applies it', async ({ page }) => {
    await page.goto('/traffic?namespace=ai-nutritionist');
    const split = await openRoute(page, 'nutrition-service-canary', 'default-split');
    const canary = split.getByRole('slider', { name: 'nutrition-service canary weight' });
    await expect(canary).toHaveAttribute('aria-valuenow', '5');
    await canary.focus();
    await page.keyboard.press('PageUp');
    await page.keyboard.press('PageUp');
    await expect(canary).toHaveAttribute('aria-valuenow', '25');
    await expect(split.getByRole('slider', { name: 'nutrition-service stable weight' })).toHaveAttribute('aria-valuenow', '75');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await expect(split.getByRole('spinbutton', { name: 'nutrition-service canary weight percent' })).toHaveValue('25');

    const review = split.getByRole('region', { name: 'Review of nutrition-service-canary route default-split' });
    await review.getByLabel('Reason for this change').fill('canary healthy for 30 minutes');
    await review.getByRole('button', { name: 'Review change' }).click();
    await expect(review).toContainText('stable 95% / canary 5% → stable 75% / canary 25%');
    // The diff is the API server's dry run of the real patch: the whole object before and after.
    const diff = review.getByLabel('Change to the VirtualService');
    await expect(diff.locator('.diff-removed')).toHaveText([/^- +weight: 95\s*$/, /^- +weight: 5\s*$/]);
    await expect(diff.locator('.diff-added')).toHaveText([/^\+ +weight: 75\s*$/, /^\+ +weight: 25\s*$/]);
    await review.getByRole('button', { name: 'Apply' }).click();
    await expect(split.getByRole('status')).toContainText('Applied to nutrition-service-canary: stable 75% / canary 25%');

    expect(jsonpath('virtualservice', 'nutrition-service-canary', '.spec.http[3].route[*].weight')).toBe('75 25');
    expect(kubectl('get', 'virtualservice', 'nutrition-service-canary', '-n', 'ai-nutritionist')).toContain('nutrition-service-canary');

    // The operator then finds the change, with its reason, on the Audit page.
    await page.keyboard.press('Escape'); // the drawer is modal: close it to reach the navigation
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    const row = page.getByRole('row', { name: /canary healthy for 30 minutes/ });
    await expect(row).toContainText('operator@meshdeck.local');
    await expect(row).toContainText('default-split: stable 95% / canary 5% → stable 75% / canary 25%');
  });

  test('shows a change made with kubectl meanwhile as a conflict instead of overwriting it', async ({ page }) => {
    await page.goto('/traffic?namespace=ai-nutritionist');
    const split = await openRoute(page, 'nutrition-service-canary', 'default-split');
    await split.getByRole('spinbutton', { name: 'nutrition-service canary weight percent' }).fill('30');
    await split.getByLabel('Reason for this change').fill('widen the canary');
    await split.getByRole('button', { name: 'Review change' }).click();

    kubectl(
      'patch',
      'virtualservice',
      'nutrition-service-canary',
      '-n',
      'ai-nutritionist',
      '--type=json',
      '-p=[{"op":"replace","path":"/spec/http/3/route/0/weight","value":60},{"op":"replace","path":"/spec/http/3/route/1/weight","value":40}]',
    );
    await split.getByRole('button', { name: 'Apply' }).click();

    const conflict = split.getByRole('alert', { name: 'Conflict' });
    await expect(conflict).toContainText('someone changed this VirtualService after you loaded it');
    await expect(conflict).toContainText('stable 60% / canary 40%');
    await expect(conflict).toContainText('stable 70% / canary 30%');
    expect(jsonpath('virtualservice', 'nutrition-service-canary', '.spec.http[3].route[*].weight')).toBe('60 40');

    await conflict.getByRole('button', { name: 'Re-apply my weights on the latest version' }).click();
    await expect(split.getByRole('status')).toContainText('stable 70% / canary 30%');
    expect(jsonpath('virtualservice', 'nutrition-service-canary', '.spec.http[3].route[*].weight')).toBe('70 30');
  });

  test('shows changes made elsewhere without a reload', async ({ page }) => {
    await page.goto('/traffic?namespace=ai-nutritionist');
    const ab = await openRoute(page, 'ai-coach-service-ab-test', 'ab-test');
    await expect(ab.getByRole('slider', { name: 'ai-coach-service algorithm-b weight' })).toHaveAttribute('aria-valuenow', '50');
    kubectl(
      'patch',
      'virtualservice',
      'ai-coach-service-ab-test',
      '-n',
      'ai-nutritionist',
      '--type=json',
      '-p=[{"op":"replace","path":"/spec/http/2/route/0/weight","value":80},{"op":"replace","path":"/spec/http/2/route/1/weight","value":20}]',
    );
    await expect(ab.getByRole('slider', { name: 'ai-coach-service algorithm-b weight' })).toHaveAttribute('aria-valuenow', '20', { timeout: 2000 });
  });

  test('the blue-green switch flips payment-service after confirmation', async ({ page }) => {
    await page.goto('/traffic?namespace=ai-nutritionist');
    const production = await openRoute(page, 'payment-service-blue-green', 'production');
    await production.getByRole('button', { name: 'Switch payment-service to green' }).click();
    const confirm = production.getByRole('alertdialog');
    await expect(confirm).toContainText('Send all traffic of route production in payment-service-blue-green from blue to green?');
    await confirm.getByLabel('Reason for the switch').fill('green passed the smoke tests');
    await confirm.getByRole('button', { name: 'Switch all traffic to green' }).click();
    await expect(production.getByRole('status')).toContainText('blue 0% / green 100%');
    expect(jsonpath('virtualservice', 'payment-service-blue-green', '.spec.http[1].route[*].weight')).toBe('0 100');
  });

  test('edits a header-match rule, refusing an invalid regex without writing', async ({ page }) => {
    await page.goto('/traffic?namespace=ai-nutritionist');
    const flag = await openRoute(page, 'nutrition-service-canary', 'feature-flag-new-provider');
    await flag.getByRole('button', { name: 'Edit match rules of feature-flag-new-provider' }).click();
    const editor = flag.getByRole('region', { name: 'Match rules of route feature-flag-new-provider' });
    await editor.getByRole('combobox', { name: 'Match 1 condition 1 operator' }).selectOption('regex');
    await editor.getByRole('textbox', { name: 'Match 1 condition 1 value' }).fill('enabled|(on');
    await editor.getByLabel('Reason for this change').fill('accept both spellings of the flag');
    const before = jsonpath('virtualservice', 'nutrition-service-canary', '.metadata.resourceVersion');
    await editor.getByRole('button', { name: 'Review change' }).click();
    await expect(editor.getByRole('alert')).toContainText('"enabled|(on" is not a valid regular expression');
    expect(jsonpath('virtualservice', 'nutrition-service-canary', '.metadata.resourceVersion')).toBe(before);

    await editor.getByRole('textbox', { name: 'Match 1 condition 1 value' }).fill('enabled|on');
    await editor.getByRole('button', { name: 'Add header condition to match 1' }).click();
    await editor.getByRole('textbox', { name: 'Match 1 condition 2 header' }).fill('x-user-tier');
    await editor.getByRole('textbox', { name: 'Match 1 condition 2 value' }).fill('premium');
    await editor.getByRole('button', { name: 'Review change' }).click();
    await expect(editor.getByLabel('Change to the VirtualService').locator('.diff-added')).toContainText([/x-user-tier/]);
    await editor.getByRole('button', { name: 'Save match rules' }).click();
    await expect(editor).toHaveCount(0);
    await expect(flag.getByText('x-feature-flag-new-provider matches /enabled|on/ and x-user-tier = premium')).toBeVisible();
    expect(jsonpath('virtualservice', 'nutrition-service-canary', '.spec.http[1].match[0].headers')).toBe(
      '{"x-feature-flag-new-provider":{"regex":"enabled|on"},"x-user-tier":{"exact":"premium"}}',
    );
  });
});

test.describe('traffic API refuses bad requests and changes nothing', () => {
  const url = '/api/traffic/ai-nutritionist/ai-coach-service-ab-test/routes/2/weights';
  const current = () => jsonpath('virtualservice', 'ai-coach-service-ab-test', '.metadata.resourceVersion');
  const body = (weights: [number, number], resourceVersion = current(), subset = 'algorithm-b') => ({
    resourceVersion,
    reason: 'api test',
    weights: [
      { host: 'ai-coach-service', subset: 'algorithm-a', weight: weights[0] },
      { host: 'ai-coach-service', subset, weight: weights[1] },
    ],
  });

  test('each bad request gets a 4xx with a message', async ({ request }) => {
    const before = current();
    const cases: { name: string; send: () => Promise<import('@playwright/test').APIResponse>; status: number; message: RegExp }[] = [
      {
        name: 'weights summing to 90',
        send: () => request.put(url, { data: body([40, 50]) }),
        status: 400,
        message: /must add up to 100 \(they add up to 90\)/,
      },
      { name: 'a negative weight', send: () => request.put(url, { data: body([110, -10]) }), status: 400, message: /must be 0 or more/ },
      {
        name: 'an unknown subset',
        send: () => request.put(url, { data: body([50, 50], current(), 'algorithm-z') }),
        status: 400,
        message: /has the destinations ai-coach-service\/algorithm-a, ai-coach-service\/algorithm-b.*not ai-coach-service\/algorithm-z/,
      },
      {
        name: 'a stale resourceVersion',
        send: () => request.put(url, { data: body([60, 40], String(Number(before) - 1)) }),
        status: 409,
        message: /changed|modified/,
      },
      {
        name: 'malformed JSON',
        send: () => request.put(url, { data: Buffer.from('{"weights": ['), headers: { 'content-type': 'application/json' } }),
        status: 400,
        message: /not valid JSON/,
      },
      {
        name: 'a 1 MB body',
        send: () =>
          request.put(url, {
            data: Buffer.from(JSON.stringify({ ...body([50, 50]), padding: 'x'.repeat(1024 * 1024) })),
            headers: { 'content-type': 'application/json' },
          }),
        status: 413,
        message: /larger than|limit/,
      },
      {
        name: 'a cross-site request',
        send: () => request.put(url, { data: body([60, 40]), headers: { origin: 'https://evil.example' } }),
        status: 403,
        message: /Cross-site request refused/,
      },
      { name: 'no reason', send: () => request.put(url, { data: { ...body([60, 40]), reason: '' } }), status: 400, message: /reason: say why/ },
    ];
    for (const c of cases) {
      const response = await c.send();
      expect(response.status(), c.name).toBe(c.status);
      const json = await response.json();
      expect(json.error.message, c.name).toMatch(c.message);
    }
    expect(current()).toBe(before);
  });
});
