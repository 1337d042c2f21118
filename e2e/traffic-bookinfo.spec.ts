// Traffic on a Bookinfo-shaped namespace (e2e/fixtures/bookinfo.yaml): starting a canary from a
// one-destination route, removing a 0 % destination, presets of a three-way split, saving a match
// that uses sourceLabels/queryParams/port; and where the blue-green switch belongs on the seed.
import { expect, test } from '@playwright/test';
import { BOOKINFO, ensureBookinfo } from './bookinfo';
import { jsonpath, kubectl } from './kube';
import { openRoute } from './traffic-page';

const reviews = (path: string) => jsonpath('virtualservice', 'reviews', path, BOOKINFO);
const setReviewsDefault = (destinations: { subset: string; weight?: number }[]) =>
  kubectl(
    'patch',
    'virtualservice',
    'reviews',
    '-n',
    BOOKINFO,
    '--type=json',
    `-p=${JSON.stringify([{ op: 'replace', path: '/spec/http/1/route', value: destinations.map((d) => ({ destination: { host: 'reviews', subset: d.subset }, ...(d.weight === undefined ? {} : { weight: d.weight }) })) }])}`,
  );

test.describe('traffic on a Bookinfo-shaped mesh', () => {
  test.beforeEach(() => {
    ensureBookinfo();
    setReviewsDefault([{ subset: 'v1' }]); // as the fixture has it: all to v1, no weight
  });

  test('starts a canary: adds v2 to reviews at 0 %, moves it to 10 % with the keyboard, applies 90/10', async ({ page }) => {
    await page.goto(`/traffic?namespace=${BOOKINFO}`);
    const split = await openRoute(page, 'reviews', 'route 2');
    await expect(split).toContainText('All traffic to reviews v1');
    await split.getByRole('button', { name: 'Add destination to route 2' }).click();
    await expect(split.getByRole('combobox', { name: 'Subset' }).getByRole('option')).toHaveText(['v2', 'v3']);
    await split.getByRole('button', { name: 'Add reviews v2 at 0%' }).click();

    const v2 = split.getByRole('slider', { name: 'reviews v2 weight' });
    await expect(v2).toHaveAttribute('aria-valuenow', '0');
    await v2.focus();
    await page.keyboard.press('PageUp');
    await expect(v2).toHaveAttribute('aria-valuenow', '10');
    await expect(split.getByRole('slider', { name: 'reviews v1 weight' })).toHaveAttribute('aria-valuenow', '90');

    const review = split.getByRole('region', { name: 'Review of reviews route route 2' });
    await review.getByLabel('Reason for this change').fill('start the reviews v2 canary');
    await review.getByRole('button', { name: 'Review change' }).click();
    await expect(review).toContainText('v1 100% → v1 90% / v2 10%');
    await expect(review.getByLabel('Change to the VirtualService').locator('.diff-added')).toContainText([/subset: v2/]);
    await review.getByRole('button', { name: 'Apply' }).click();
    await expect(split.getByRole('status')).toContainText('Applied to reviews: v1 90% / v2 10%');
    expect(reviews('.spec.http[1].route[*].weight')).toBe('90 10');
    expect(reviews('.spec.http[1].route[*].destination.subset')).toBe('v1 v2');
  });

  test('a three-way split has presets for v3; a destination with traffic cannot be removed, one at 0 % can', async ({ page }) => {
    setReviewsDefault([
      { subset: 'v1', weight: 80 },
      { subset: 'v2', weight: 20 },
      { subset: 'v3', weight: 0 },
    ]);
    await page.goto(`/traffic?namespace=${BOOKINFO}`);
    const split = await openRoute(page, 'reviews', 'route 2');
    const presets = split.getByRole('group', { name: 'Presets for route route 2' });
    for (const name of ['Promote v2', 'v2 10%', 'Promote v3', 'v3 5%', 'v3 10%', 'v3 25%', 'v3 50%', 'Roll back to v1'])
      await expect(presets.getByRole('button', { name, exact: true })).toBeVisible();
    await presets.getByRole('button', { name: 'v3 10%', exact: true }).click();
    await expect(split.getByRole('slider', { name: 'reviews v3 weight' })).toHaveAttribute('aria-valuenow', '10');
    await split.getByRole('button', { name: 'Discard' }).click();

    await split.getByRole('button', { name: 'Remove destination reviews v2' }).click();
    await expect(split.getByRole('alert')).toContainText("reviews v2 cannot be removed: it takes 20% of this route's traffic");
    await split.getByRole('button', { name: 'Remove destination reviews v3' }).click();
    await expect(split.getByRole('slider', { name: 'reviews v3 weight' })).toHaveCount(0);
    await split.getByLabel('Reason for this change').fill('v3 is not part of this rollout');
    await split.getByRole('button', { name: 'Review change' }).click();
    await split.getByRole('button', { name: 'Apply' }).click();
    await expect(split.getByRole('status')).toContainText('Applied to reviews: v1 80% / v2 20%');
    expect(reviews('.spec.http[1].route[*].destination.subset')).toBe('v1 v2');
    expect(reviews('.spec.http[1].route[*].weight')).toBe('80 20');
  });

  test('the API refuses removing a destination that takes traffic, and weights that do not add up, changing nothing', async ({ request }) => {
    setReviewsDefault([
      { subset: 'v1', weight: 90 },
      { subset: 'v2', weight: 10 },
    ]);
    const before = reviews('.metadata.resourceVersion');
    const put = (destinations: unknown) =>
      request.put(`/api/traffic/${BOOKINFO}/reviews/routes/1/destinations`, { data: { resourceVersion: before, reason: 'api test', destinations } });
    const removal = await put([{ host: 'reviews', subset: 'v1', weight: 100 }]);
    expect(removal.status()).toBe(400);
    expect((await removal.json()).error.message).toMatch(/reviews v2 cannot be removed: it takes 10%/);
    const sum = await put([
      { host: 'reviews', subset: 'v1', weight: 90 },
      { host: 'reviews', subset: 'v2', weight: 5 },
      { host: 'reviews', subset: 'v3', weight: 0 },
    ]);
    expect(sum.status()).toBe(400);
    expect((await sum.json()).error.message).toMatch(/must add up to 100 \(they add up to 95\)/);
    const unknown = await put([
      { host: 'reviews', subset: 'v1', weight: 90 },
      { host: 'reviews', subset: 'v2', weight: 10 },
      { host: 'reviews', subset: 'v9', weight: 0 },
    ]);
    expect((await unknown.json()).error.message).toMatch(/Subset "v9" is not in the DestinationRule for reviews \(it has v1, v2, v3\)/);
    expect(reviews('.metadata.resourceVersion')).toBe(before);
  });

  test('saves the jason match unchanged and with a header changed; sourceLabels, queryParams and port survive', async ({ page }) => {
    await page.goto(`/traffic?namespace=${BOOKINFO}`);
    const jason = await openRoute(page, 'reviews', 'jason');
    await expect(jason).toContainText('end-user = jason and query debug = 1 and source app = productpage and port 9080');

    await jason.getByRole('button', { name: 'Edit match rules of jason' }).click();
    let editor = jason.getByRole('region', { name: 'Match rules of route jason' });
    await editor.getByLabel('Reason for this change').fill('save as it is');
    await editor.getByRole('button', { name: 'Review change' }).click();
    await expect(editor.getByText('No change: the object would stay as it is.')).toBeVisible();
    await editor.getByRole('button', { name: 'Save match rules' }).click();
    await expect(editor).toHaveCount(0);

    await jason.getByRole('button', { name: 'Edit match rules of jason' }).click();
    editor = jason.getByRole('region', { name: 'Match rules of route jason' });
    await expect(editor.getByRole('textbox', { name: 'Match 1 source label 1 key' })).toHaveValue('app');
    await expect(editor.getByRole('textbox', { name: 'Match 1 query parameter 1 name' })).toHaveValue('debug');
    await expect(editor.getByRole('textbox', { name: 'Match 1 port' })).toHaveValue('9080');
    await editor.getByRole('textbox', { name: 'Match 1 condition 1 value' }).fill('jason-qa');
    await editor.getByRole('textbox', { name: 'Match 1 port' }).fill('70000');
    await editor.getByLabel('Reason for this change').fill('QA account joins the v2 preview');
    const before = reviews('.metadata.resourceVersion');
    await editor.getByRole('button', { name: 'Review change' }).click();
    await expect(editor.getByRole('alert')).toContainText('Match 1: the port must be a whole number from 1 to 65535');
    expect(reviews('.metadata.resourceVersion')).toBe(before);
    await editor.getByRole('textbox', { name: 'Match 1 port' }).fill('9080');
    await editor.getByRole('button', { name: 'Review change' }).click();
    await editor.getByRole('button', { name: 'Save match rules' }).click();
    await expect(jason).toContainText('end-user = jason-qa and query debug = 1');

    expect(reviews('.spec.http[0].match[0].headers')).toBe('{"end-user":{"exact":"jason-qa"}}');
    expect(reviews('.spec.http[0].match[0].sourceLabels')).toBe('{"app":"productpage"}');
    expect(reviews('.spec.http[0].match[0].queryParams')).toBe('{"debug":{"exact":"1"}}');
    expect(reviews('.spec.http[0].match[0].port')).toBe('9080');
  });

  test('saves the ratings match (uri regex, method, ignoreUriCase) unchanged', async ({ page }) => {
    await page.goto(`/traffic?namespace=${BOOKINFO}`);
    const first = await openRoute(page, 'ratings', 'route 1');
    await first.getByRole('button', { name: 'Edit match rules of route 1' }).click();
    const editor = first.getByRole('region', { name: 'Match rules of route route 1' });
    await expect(editor.getByRole('combobox', { name: 'Match 1 uri operator' })).toHaveValue('regex');
    await expect(editor.getByRole('checkbox', { name: 'Match 1 ignore uri case' })).toBeChecked();
    await editor.getByLabel('Reason for this change').fill('no change, just saved');
    await editor.getByRole('button', { name: 'Review change' }).click();
    await editor.getByRole('button', { name: 'Save match rules' }).click();
    await expect(editor).toHaveCount(0);
    expect(jsonpath('virtualservice', 'ratings', '.spec.http[0].match[0]', BOOKINFO)).toBe(
      '{"ignoreUriCase":true,"method":{"exact":"GET"},"uri":{"regex":"^/ratings/[0-9]+$"}}',
    );
  });

  test('a match edit started before a kubectl change shows the conflict view, then saves on the latest version', async ({ page }) => {
    await page.goto(`/traffic?namespace=${BOOKINFO}`);
    const first = await openRoute(page, 'ratings', 'route 1');
    await first.getByRole('button', { name: 'Edit match rules of route 1' }).click();
    const editor = first.getByRole('region', { name: 'Match rules of route route 1' });
    await editor.getByRole('checkbox', { name: 'Match 1 ignore uri case' }).uncheck();
    // Meanwhile, at a terminal: someone changes the route's timeout.
    kubectl('patch', 'virtualservice', 'ratings', '-n', BOOKINFO, '--type=json', '-p=[{"op":"replace","path":"/spec/http/0/timeout","value":"2s"}]');
    await editor.getByLabel('Reason for this change').fill('case matters for ratings ids');
    // The review asks the API server, which already sees the change: the conflict shows before any apply.
    await editor.getByRole('button', { name: 'Review change' }).click();
    const conflict = editor.getByRole('alert', { name: 'Conflict' });
    await expect(conflict).toContainText('someone changed this VirtualService after you loaded it');
    expect(jsonpath('virtualservice', 'ratings', '.spec.http[0].match[0].ignoreUriCase', BOOKINFO)).toBe('true');
    await conflict.getByRole('button', { name: 'Save my match rules on the latest version' }).click();
    await expect(editor).toHaveCount(0);
    expect(jsonpath('virtualservice', 'ratings', '.spec.http[0].match[0].ignoreUriCase', BOOKINFO)).toBe('');
    expect(jsonpath('virtualservice', 'ratings', '.spec.http[0].timeout', BOOKINFO)).toBe('2s'); // their change kept
  });
});

test.describe('the blue-green switch only where routes are blue-green', () => {
  test('none on the nutrition beta canary or the A/B default route; payment production has it, with the reason', async ({ page }) => {
    await page.goto('/traffic?namespace=ai-nutritionist');
    const beta = await openRoute(page, 'nutrition-service-canary', 'canary-beta-users');
    await expect(beta.getByRole('slider', { name: 'nutrition-service canary weight' })).toBeVisible();
    await expect(beta.getByRole('button', { name: /^Switch / })).toHaveCount(0);
    await beta.getByText('Why this 100/0 route has no blue-green switch').click();
    await expect(beta).toContainText('Not a blue-green switch: route default-split sends traffic to stable and canary at once');
    const abDefault = await openRoute(page, 'ai-coach-service-ab-test', 'default');
    await expect(abDefault.getByRole('slider', { name: 'ai-coach-service algorithm-b weight' })).toBeVisible();
    await expect(abDefault.getByRole('button', { name: /^Switch / })).toHaveCount(0);

    const production = await openRoute(page, 'payment-service-blue-green', 'production');
    await expect(production.getByRole('button', { name: /^Switch payment-service to (green|blue)$/ })).toBeVisible();
    await expect(production).toContainText('Blue-green: the subsets are named blue and green.');
  });

  test('a 100/0 route of subsets v1/v2 gets the switch when its VirtualService is annotated meshdeck.io/strategy: blue-green', async ({ page }) => {
    ensureBookinfo();
    setReviewsDefault([
      { subset: 'v1', weight: 100 },
      { subset: 'v2', weight: 0 },
    ]);
    await page.goto(`/traffic?namespace=${BOOKINFO}`);
    const split = await openRoute(page, 'reviews', 'route 2');
    await expect(split.getByRole('slider', { name: 'reviews v2 weight' })).toHaveAttribute('aria-valuenow', '0');
    await expect(split.getByRole('button', { name: /^Switch / })).toHaveCount(0);
    try {
      kubectl('annotate', 'virtualservice', 'reviews', '-n', BOOKINFO, 'meshdeck.io/strategy=blue-green');
      await expect(split.getByRole('button', { name: 'Switch reviews to v2' })).toBeVisible();
      await expect(split).toContainText('Blue-green: the VirtualService is marked meshdeck.io/strategy: blue-green.');
    } finally {
      kubectl('annotate', 'virtualservice', 'reviews', '-n', BOOKINFO, 'meshdeck.io/strategy-');
    }
    await expect(split.getByRole('button', { name: /^Switch / })).toHaveCount(0);
  });
});
