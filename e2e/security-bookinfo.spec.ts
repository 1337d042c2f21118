// Security answers on a mesh that is not the seed's: a Bookinfo-shaped namespace the spec
// creates (e2e/fixtures/bookinfo.yaml), an emergency extended from the banner, and an edit that
// loses a race with kubectl.
import { expect, test, type Page } from '@playwright/test';
import { AUTH_DIR } from '../playwright.config';
import { BOOKINFO, ensureBookinfo } from './bookinfo';
import { jsonpath, kubectl } from './kube';

const PRODUCTPAGE = 'cluster.local/ns/bookinfo/sa/bookinfo-productpage';

test.describe('"can this caller do this?" on Bookinfo', () => {
  test.beforeAll(() => ensureBookinfo());

  async function ask(page: Page, request: { workload: string; method: string; path: string; principal: string; token: string }) {
    const form = page.getByRole('form', { name: 'Can this caller do this?' });
    await form.getByRole('combobox', { name: 'Workload' }).selectOption(request.workload);
    await form.getByRole('combobox', { name: /Caller principal/ }).fill(request.principal);
    await form.getByRole('textbox', { name: 'Method' }).fill(request.method);
    await form.getByRole('textbox', { name: 'Path' }).fill(request.path);
    await form.getByRole('textbox', { name: /Token principal/ }).fill(request.token);
    await form.getByRole('button', { name: 'Evaluate' }).click();
  }

  test("productpage's service account may GET details but not POST; ratings without a JWT is denied by the DENY policy", async ({ page }) => {
    await page.goto(`/security?namespace=${BOOKINFO}`);
    const decision = page.getByRole('status').filter({ hasText: /^(Allowed|Denied):/ });
    const walked = page.getByRole('list', { name: 'How it was decided' });

    await ask(page, { workload: 'bookinfo/details', method: 'GET', path: '/details/0', principal: PRODUCTPAGE, token: '' });
    await expect(decision).toHaveText('Allowed: allowed by bookinfo/details-viewer, rule 1');
    await expect(walked.getByRole('listitem')).toHaveText(['ALLOW bookinfo/details-viewer: matched (rule 1 matches)']);

    await ask(page, { workload: 'bookinfo/details', method: 'POST', path: '/details/0', principal: PRODUCTPAGE, token: '' });
    await expect(decision).toHaveText('Denied: denied: ALLOW policies apply (bookinfo/details-viewer) and none of their rules matches');
    await expect(walked.getByRole('listitem')).toHaveText(['ALLOW bookinfo/details-viewer: did not match (rule 1: methods [GET] does not include "POST")']);

    await ask(page, { workload: 'bookinfo/ratings', method: 'GET', path: '/ratings/0', principal: PRODUCTPAGE, token: '' });
    await expect(decision).toHaveText('Denied: denied by DENY policy bookinfo/ratings-deny-without-jwt, rule 1');
    await expect(walked.getByRole('listitem')).toHaveText(['DENY bookinfo/ratings-deny-without-jwt: matched (rule 1 matches)']);
    // The deciding rule, as the policy's row and its drawer show it.
    const policies = page.getByRole('table', { name: 'AuthorizationPolicies' });
    // The Action column's facet filter, above the table in its section.
    await page.getByRole('region', { name: 'Authorization in bookinfo' }).getByRole('combobox', { name: 'Filter by Action' }).selectOption('DENY');
    await policies.getByRole('row', { name: /bookinfo\/ratings-deny-without-jwt/ }).click();
    const denyPolicy = page.getByRole('dialog').getByRole('group', { name: 'DENY policy bookinfo/ratings-deny-without-jwt' });
    await expect(denyPolicy.getByRole('listitem')).toHaveText(['who: no JWT; what: any request; when: always']);
    await page.getByRole('button', { name: 'Close details' }).click();
    await expect(page).not.toHaveURL(/authz\.open=/);

    // With a token the ratings RequestAuthentication accepts, the DENY rule no longer matches.
    await ask(page, {
      workload: 'bookinfo/ratings',
      method: 'GET',
      path: '/ratings/0',
      principal: PRODUCTPAGE,
      token: 'https://issuer.bookinfo.example/reader',
    });
    await expect(decision).toHaveText('Allowed: allowed: no DENY rule matches and no ALLOW policy applies to this workload, so nothing restricts it');
  });

  test('lists ratings as needing a token, and details as not', async ({ page }) => {
    await page.goto(`/security?namespace=${BOOKINFO}`);
    const workloads = page.getByRole('table', { name: 'Effective mTLS per workload' });
    await expect(workloads.getByRole('row', { name: /^bookinfo\/ratings-v1 / })).toContainText(
      'token required (DENY bookinfo/ratings-deny-without-jwt rule 1 denies no JWT)',
    );
    await expect(workloads.getByRole('row', { name: /^bookinfo\/details-v1 / })).toContainText('no token required');
    // The token column is a facet: only the workloads that always need one.
    await page.getByRole('region', { name: 'Per workload' }).getByRole('combobox', { name: 'Filter by Token' }).selectOption('token required');
    await expect(workloads.getByRole('row', { name: /^bookinfo\/details-v1 / })).toHaveCount(0);
    await expect(page).toHaveURL(/mtls-wl\.f\.token=token\+required/);
  });
});

test.describe('token bucket edits as admin', () => {
  test.use({ storageState: `${AUTH_DIR}/admin.json` });
  const MAX = '.spec.configPatches[0].patch.value.typed_config.token_bucket.max_tokens';
  const setMax = (value: number) =>
    kubectl(
      'patch',
      'envoyfilter',
      'global-rate-limit',
      '-n',
      'ai-nutritionist',
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'replace', path: '/spec/configPatches/0/patch/value/typed_config/token_bucket/max_tokens', value }]),
    );

  test('an edit that started before a kubectl change shows the conflict view and changes nothing', async ({ page }) => {
    const original = Number(jsonpath('envoyfilter', 'global-rate-limit', MAX));
    try {
      await page.goto('/security?namespace=ai-nutritionist');
      await page
        .getByRole('table', { name: 'Local rate limits' })
        .getByRole('row', { name: /global-rate-limit/ })
        .click();
      const row = page
        .getByRole('dialog', { name: 'Rate limit ai-nutritionist/global-rate-limit' })
        .getByRole('group', { name: /^Rate limit global-rate-limit/ });
      await row.getByRole('button', { name: 'Edit global-rate-limit' }).click();
      setMax(original + 7);
      const changed = jsonpath('envoyfilter', 'global-rate-limit', '.metadata.resourceVersion');
      // The page learns of the change while the editor stays on the version it started from.
      await expect(row).toContainText(`bucket of ${original + 7} tokens`);
      await row.getByRole('spinbutton', { name: 'Max tokens' }).fill(String(original + 50));
      await row.getByRole('textbox', { name: 'Reason' }).fill('more headroom for the launch');
      // The review is the API server's dry run on the version the editor started from: already a conflict.
      await row.getByRole('button', { name: 'Review change' }).click();

      const conflict = row.getByRole('alert', { name: 'Conflict' });
      await expect(conflict).toContainText('Not applied: someone changed this EnvoyFilter after you loaded it.');
      await expect(conflict.getByRole('definition').first()).toHaveText(new RegExp(`^${original + 7} tokens, .* \\(resourceVersion ${changed}\\)$`));
      await expect(conflict.getByRole('definition').nth(1)).toContainText(`${original + 50} tokens`);
      expect(jsonpath('envoyfilter', 'global-rate-limit', MAX)).toBe(String(original + 7));
      expect(jsonpath('envoyfilter', 'global-rate-limit', '.metadata.resourceVersion')).toBe(changed);
    } finally {
      setMax(original);
    }
  });
});

test.describe('emergency extension as admin', () => {
  test.use({ storageState: `${AUTH_DIR}/admin.json` });
  const annotation = (key: string) => `.metadata.annotations.meshdeck\\.io/${key}`;
  const pa = (path: string) => jsonpath('peerauthentication', 'default', path, BOOKINFO);
  const patch = (body: unknown) => kubectl('patch', 'peerauthentication', 'default', '-n', BOOKINFO, '--type=merge', '-p', JSON.stringify(body));

  test('"Extend by 30 minutes" adds 30 minutes to the deadline, and the banner says the new one', async ({ page }) => {
    ensureBookinfo();
    // An emergency as Meshdeck records it on the object. Starting one needs a replica holding the
    // revert Lease (the shared dashboard runs none, so nothing reverts it during this test either);
    // extending does not, so the scene is set with kubectl.
    const keys = ['previous-mode', 'reason', 'by', 'started-at', 'revert-at', 'generation', 'revert-skipped'];
    const generation = Number(pa('.metadata.generation'));
    const before = new Date(Date.now() + 10 * 60_000).toISOString();
    try {
      patch({
        spec: { mtls: { mode: 'PERMISSIVE' } },
        metadata: {
          annotations: {
            'meshdeck.io/emergency-previous-mode': 'STRICT',
            'meshdeck.io/emergency-reason': 'ratings partner without a mesh certificate',
            'meshdeck.io/emergency-by': 'admin@meshdeck.local',
            'meshdeck.io/emergency-started-at': new Date().toISOString(),
            'meshdeck.io/emergency-revert-at': before,
            'meshdeck.io/emergency-generation': String(generation + 1),
          },
        },
      });
      await page.goto(`/security?namespace=${BOOKINFO}`);
      const banner = page.getByRole('region', { name: 'Active emergencies' });
      await expect(banner).toContainText('Emergency: mTLS is PERMISSIVE in bookinfo (was STRICT)');
      await banner.getByRole('textbox', { name: 'Reason for acting on the bookinfo emergency' }).fill('partner needs longer to roll out certificates');
      await banner.getByRole('button', { name: 'Extend by 30 minutes' }).click();
      await expect(banner.getByRole('status')).toContainText(/^Extended: reverts at .+ instead of .+ \(\+30 minutes\)\.$/);
      expect(Date.parse(pa(annotation('emergency-revert-at'))) - Date.parse(before)).toBe(30 * 60_000);
      expect(pa('.spec.mtls.mode')).toBe('PERMISSIVE');
    } finally {
      patch({ spec: { mtls: { mode: 'STRICT' } }, metadata: { annotations: Object.fromEntries(keys.map((k) => [`meshdeck.io/emergency-${k}`, null])) } });
    }
    expect(pa('.spec.mtls.mode')).toBe('STRICT');
  });
});
