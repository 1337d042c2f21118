// Sign-in through a real OpenID Connect provider (oidc-provider on loopback, authorization code
// with PKCE, groups in the ID token), against a sandbox of its own whose RBAC binds one group to
// a single namespace, with a dashboard started for it without the demo users.
import type { ChildProcess } from 'node:child_process';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { startDashboardProcess, stopDashboardProcess } from './dashboard-process';
import { jsonpath, kubectlAt } from './kube';
import { IDP_PEOPLE, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, SHORT_TOKEN_SECONDS, startIdp, type IdpPerson, type RunningIdp } from './oidc-provider';
import { freePort, startSandboxProcess, stopProcess, type SandboxProcess } from './processes';

test.describe.configure({ mode: 'serial' });

let sandbox: SandboxProcess;
let idp: RunningIdp;
let dashboard: ChildProcess;
let port: number;
let base: string;
const contexts: BrowserContext[] = [];
const cspViolations: string[] = [];

const weightsPath = '/api/traffic/ai-nutritionist/messaging-service-feature-flags/routes/1/weights';
const weightsBody = (v1: number) => ({
  resourceVersion: jsonpath('virtualservice', 'messaging-service-feature-flags', '.metadata.resourceVersion', 'ai-nutritionist', sandbox.kubeconfig),
  reason: 'oidc e2e',
  weights: [
    { host: 'messaging-service', subset: 'v1', weight: v1 },
    { host: 'messaging-service', subset: 'enhanced', weight: 100 - v1 },
  ],
});

test.beforeAll(async () => {
  test.setTimeout(120_000);
  sandbox = await startSandboxProcess();
  // team-a-devs may only view the mesh in ai-nutritionist: Meshdeck maps the group to operator.
  kubectlAt(sandbox.kubeconfig, 'create', 'rolebinding', 'team-a-viewers', '--clusterrole=meshdeck-viewer', '--group=team-a-devs', '-n', 'ai-nutritionist');
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  idp = await startIdp(base);
  dashboard = await startDashboardProcess(port, {
    KUBECONFIG: sandbox.kubeconfig,
    MESHDECK_DEMO_AUTH: '',
    MESHDECK_OIDC_ISSUER: idp.issuer,
    MESHDECK_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
    MESHDECK_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
    MESHDECK_OIDC_NAME: 'Test IdP',
    MESHDECK_ROLE_GROUPS: 'admin=meshdeck:admins;operator=meshdeck:operators,team-a-devs;viewer=meshdeck:viewers',
  });
});

test.afterAll(async () => {
  for (const context of contexts) await context.close();
  if (dashboard) await stopDashboardProcess(dashboard, port);
  await idp?.stop();
  if (sandbox) await stopProcess(sandbox.child);
});

/** A fresh browser (no IdP or dashboard cookies) that records every CSP violation and page error. */
async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: base, storageState: { cookies: [], origins: [] } });
  contexts.push(context);
  await context.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)),
  );
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content Security Policy|CSP violation/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => cspViolations.push(`${page.url()}: ${error.message}`));
  return page;
}

/** Meshdeck's sign-in button, then the IdP's login form and consent, whichever it still asks for. */
async function signInThroughIdp(page: Page, person: IdpPerson): Promise<void> {
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
  const login = page.locator('input[name="login"]');
  const consent = page.getByRole('button', { name: 'Continue' });
  const back = page.waitForURL((url) => url.origin === base && !url.pathname.startsWith('/signin'), { timeout: 20_000 });
  for (let step = 0; step < 2; step++) {
    const next = await Promise.race([login.waitFor().then(() => 'login'), consent.waitFor().then(() => 'consent'), back.then(() => 'back')]);
    if (next === 'back') break;
    if (next === 'login') {
      await login.fill(person);
      await page.locator('input[name="password"]').fill('any password: the dev IdP checks none');
      await page.getByRole('button', { name: 'Sign-in' }).click();
    } else {
      await consent.click();
    }
  }
  await back;
}

const userMenu = (page: Page) => page.getByRole('group', { name: 'Signed-in user' });

test('each group maps to its role, with the write controls that role and the cluster allow', async ({ browser }) => {
  const expectations: { person: IdpPerson; role: string; writes: boolean }[] = [
    { person: 'alice', role: 'admin', writes: true },
    { person: 'oscar', role: 'operator', writes: true },
    { person: 'vera', role: 'viewer', writes: false },
  ];
  for (const { person, role, writes } of expectations) {
    const page = await freshPage(browser);
    await signInThroughIdp(page, person);
    await page.goto('/traffic?namespace=ai-nutritionist');
    await expect(userMenu(page)).toContainText(`${IDP_PEOPLE[person].email} ${role}`);
    const slider = page.getByRole('slider').first();
    await expect(slider).toBeVisible();
    if (writes) await expect(slider).not.toHaveAttribute('aria-disabled', 'true');
    else {
      await expect(slider).toHaveAttribute('aria-disabled', 'true');
      await expect(page.getByText(`Your role (viewer) can view this but not change it`).first()).toBeVisible();
    }
  }
});

test('an unmapped user gets the "no access" page', async ({ browser }) => {
  const page = await freshPage(browser);
  await signInThroughIdp(page, 'olga');
  await expect(page.getByRole('heading', { name: 'No access' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('none of your groups (marketing) maps to a Meshdeck role');
  expect((await page.request.get('/api/namespaces')).status()).toBe(403);
});

test('sign-out revokes the session: its old cookie no longer works, on any replica', async ({ browser }) => {
  const page = await freshPage(browser);
  await signInThroughIdp(page, 'oscar');
  await page.goto('/traffic');
  const cookies = await page.context().cookies(base);
  expect(cookies.map((c) => c.name)).toContain('next-auth.session-token');
  expect((await page.request.get('/api/namespaces')).status()).toBe(200);

  await userMenu(page).getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  // The session id is in the cluster's revocation list, which every replica watches.
  const revoked = kubectlAt(sandbox.kubeconfig, 'get', 'configmap', '-n', 'meshdeck', '-l', 'meshdeck.io/revoked-session=true', '-o', 'name');
  expect(revoked.trim()).toMatch(/^configmap\/meshdeck-revoked-[0-9a-f-]{36}$/);

  // The cookie from before sign-out, replayed in a new browser: no session, no API, no pages.
  const replay = await freshPage(browser);
  await replay.context().addCookies(cookies);
  expect(await (await replay.request.get('/api/auth/session')).json()).toEqual({});
  expect((await replay.request.get('/api/namespaces')).status()).toBe(401);
  await replay.goto('/traffic');
  await expect(replay).toHaveURL(/\/signin$/);
});

test('a session ends when the ID token expires, and the IdP round trip signs in again', async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await freshPage(browser);
  const signedInAt = Date.now();
  await signInThroughIdp(page, 'erin');
  const session = (await (await page.request.get('/api/auth/session')).json()) as { expires: string; user: { email: string } };
  expect(session.user.email).toBe('erin@example.com');
  // No later than the ID token's expiry, although the session max age is 8 hours.
  expect(Date.parse(session.expires)).toBeLessThanOrEqual(signedInAt + (SHORT_TOKEN_SECONDS + 2) * 1000);

  await expect
    .poll(async () => (await page.request.get('/api/auth/session')).json(), { timeout: (SHORT_TOKEN_SECONDS + 10) * 1000, intervals: [1_000] })
    .toEqual({});
  await page.goto('/traffic');
  await expect(page).toHaveURL(/\/signin$/);
  await signInThroughIdp(page, 'erin');
  await page.goto('/traffic');
  await expect(userMenu(page)).toContainText('erin@example.com operator');
});

test('a viewer in the cluster mapped to operator in Meshdeck cannot write and does not see hidden namespaces', async ({ browser }) => {
  const page = await freshPage(browser);
  await signInThroughIdp(page, 'rita');
  await page.goto('/traffic?namespace=ai-nutritionist');
  await expect(userMenu(page)).toContainText('rita@example.com operator');

  // Only the namespace the cluster lets her list; the operator sees the others too.
  const namespaces = (await (await page.request.get('/api/namespaces')).json()) as { items: { name: string }[] };
  expect(namespaces.items.map((ns) => ns.name)).toEqual(['ai-nutritionist']);
  for (const path of ['/api/traffic', '/api/security', '/api/resilience', '/api/security/live']) {
    const hidden = await page.request.get(`${path}?namespace=istio-system`);
    expect(hidden.status(), path).toBe(403);
    expect((await hidden.json()).error.message).toBe("The cluster's RBAC does not let rita@example.com list Istio resources in namespace istio-system");
  }
  // All namespaces: only hers in the answer.
  const traffic = (await (await page.request.get('/api/traffic')).json()) as { items: { namespace: string }[] };
  expect(traffic.items.length).toBeGreaterThan(0);
  expect(new Set(traffic.items.map((vs) => vs.namespace))).toEqual(new Set(['ai-nutritionist']));
  await expect(page.getByRole('combobox', { name: 'Namespace', exact: true }).locator('option')).toHaveText(['All namespaces', 'ai-nutritionist']);
  // The header's search and the Overview: a Service in a namespace hidden from her is not found, though Oscar finds it.
  kubectlAt(sandbox.kubeconfig, 'create', 'service', 'clusterip', 'hidden-probe', '--tcp=80:80', '-n', 'default');
  const oscar = await freshPage(browser);
  await signInThroughIdp(oscar, 'oscar');
  const found = async (who: Page, q: string) => ((await (await who.request.get(`/api/search?q=${q}`)).json()) as { hits: { namespace: string }[] }).hits;
  await expect.poll(async () => (await found(oscar, 'hidden-probe')).length).toBe(1);
  expect(await found(page, 'hidden-probe')).toEqual([]);
  const hers = await found(page, 'service');
  expect(hers.length).toBeGreaterThan(0);
  expect(new Set(hers.map((h) => h.namespace))).toEqual(new Set(['ai-nutritionist']));
  const overview = (await (await page.request.get('/api/overview')).json()) as { namespaces: { namespace: string }[] };
  expect(overview.namespaces.map((n) => n.namespace)).toEqual(['ai-nutritionist']);
  kubectlAt(sandbox.kubeconfig, 'delete', 'service', 'hidden-probe', '-n', 'default');

  // The write controls follow the cluster's RBAC for her, not only Meshdeck's role.
  const slider = page.getByRole('slider').first();
  await expect(slider).toHaveAttribute('aria-disabled', 'true');
  await expect(
    page.getByText("The cluster's RBAC does not let rita@example.com patch VirtualService objects in namespace ai-nutritionist.").first(),
  ).toBeVisible();

  // And a write sent anyway gets the cluster's own 403, with nothing changed.
  const before = jsonpath('virtualservice', 'messaging-service-feature-flags', '.metadata.resourceVersion', 'ai-nutritionist', sandbox.kubeconfig);
  const write = await page.request.put(weightsPath, { data: weightsBody(90), headers: { origin: base } });
  expect(write.status()).toBe(403);
  expect((await write.json()).error.message).toMatch(
    /User "rita@example.com" cannot patch resource "virtualservices" in API group "networking.istio.io" in the namespace "ai-nutritionist"/,
  );
  expect(jsonpath('virtualservice', 'messaging-service-feature-flags', '.metadata.resourceVersion', 'ai-nutritionist', sandbox.kubeconfig)).toBe(before);
});

test('pages run under a nonce CSP without violations, and hydrate', async ({ browser }) => {
  const page = await freshPage(browser);
  const response = await page.goto('/signin');
  const policy = response!.headers()['content-security-policy']!;
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce).toBeTruthy();
  expect(policy.split('; ').find((d) => d.startsWith('script-src'))).not.toContain('unsafe-inline');
  // Every script Next rendered carries this response's nonce.
  const scriptNonces = await page.locator('script').evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce));
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
  const second = (await page.request.get('/signin')).headers()['content-security-policy'];
  expect(second).not.toBe(policy);

  // Hydrated: the client-side sign-in and the namespace picker work.
  await signInThroughIdp(page, 'oscar');
  for (const path of ['/', '/traffic', '/resilience', '/security', '/kpis', '/traces', '/audit']) await page.goto(path);
  await page.getByRole('combobox', { name: 'Namespace', exact: true }).selectOption('ai-nutritionist');
  await expect(page).toHaveURL(/namespace=ai-nutritionist/);
  expect(cspViolations).toEqual([]);
});
