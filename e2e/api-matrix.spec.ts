// Every API route × every kind of caller, against the production build with real sessions:
// anonymous, viewer, operator, admin, admin from another site, admin without Origin.
// A write's body is `{}`: a 400 then proves the caller got past the origin and role checks
// (they come first), and nothing in the cluster changes.
import { expect, test } from '@playwright/test';
import { apiHarnessForThisFile, type ApiHarness } from './api-harness';

type Identity = 'anonymous' | 'viewer' | 'operator' | 'admin' | 'cross-site' | 'no-origin';
const IDENTITIES: Identity[] = ['anonymous', 'viewer', 'operator', 'admin', 'cross-site', 'no-origin'];
/** An exact status, or any 4xx other than 401/403 (the route's own answer to the input). */
type Expected = number | '4xx';

interface Row {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  expect: Record<Identity, Expected>;
}

const everyone = (status: Expected): Record<Identity, Expected> => ({
  anonymous: status,
  viewer: status,
  operator: status,
  admin: status,
  'cross-site': status,
  'no-origin': status,
});
const read = (ok: Expected = 200): Record<Identity, Expected> => ({ ...everyone(ok), anonymous: 401 });
const write = (needs: 'operator' | 'admin'): Record<Identity, Expected> => ({
  anonymous: 401,
  viewer: 403,
  operator: needs === 'operator' ? 400 : 403,
  admin: 400,
  'cross-site': 403,
  'no-origin': 403,
});

const NS = 'ai-nutritionist';
const ROWS: Row[] = [
  { method: 'GET', path: '/api/healthz', expect: everyone(200) },
  { method: 'GET', path: '/api/readyz', expect: everyone(200) },
  { method: 'GET', path: '/api/cluster', expect: read() },
  { method: 'GET', path: '/api/namespaces', expect: read() },
  { method: 'GET', path: `/api/overview?namespace=${NS}`, expect: read() },
  { method: 'GET', path: '/api/search?q=service', expect: read() },
  { method: 'GET', path: `/api/validation?namespace=${NS}`, expect: read() },
  { method: 'GET', path: `/api/traffic?namespace=${NS}`, expect: read() },
  { method: 'GET', path: `/api/traffic/${NS}/any-vs/destinations`, expect: read() },
  { method: 'GET', path: `/api/traffic/live?namespace=${NS}`, expect: read() },
  { method: 'GET', path: `/api/auth/access?namespace=${NS}`, expect: read() },
  { method: 'GET', path: '/api/resilience', expect: read() },
  { method: 'GET', path: `/api/resilience/live?namespace=${NS}`, expect: read() },
  { method: 'GET', path: '/api/security', expect: read() },
  { method: 'GET', path: '/api/security/live', expect: read() },
  { method: 'GET', path: '/api/security/emergencies', expect: read() },
  // The event stream never ends on its own: a topic that does not exist shows sign-in and validation come first.
  { method: 'GET', path: '/api/events?topics=no-such-topic', expect: read('4xx') },
  { method: 'POST', path: '/api/security/evaluate', body: { namespace: NS, app: 'any-app', path: '/' }, expect: read() },
  { method: 'GET', path: '/api/kpis?range=1h', expect: read() },
  { method: 'GET', path: '/api/kpis/services/any-service', expect: read() },
  { method: 'GET', path: '/api/traces/services', expect: read() },
  { method: 'GET', path: '/api/traces/operations?service=any-service', expect: read() },
  { method: 'GET', path: '/api/traces?service=any-service', expect: read() },
  { method: 'GET', path: '/api/traces/0123456789abcdef', expect: read(404) }, // no such trace
  { method: 'GET', path: `/api/audit?namespace=${NS}`, expect: read() },
  { method: 'GET', path: `/api/rollouts?namespace=${NS}`, expect: read() },
  { method: 'GET', path: `/api/rollouts/presets?namespace=${NS}`, expect: read() },
  { method: 'GET', path: `/api/rollouts/${NS}/any-vs`, expect: read(404) }, // no such VirtualService
  { method: 'GET', path: `/api/rollouts/${NS}/any-vs/series?step=0`, expect: read(404) },
  { method: 'PUT', path: `/api/traffic/${NS}/any-vs/routes/0/weights`, body: {}, expect: write('operator') },
  { method: 'PUT', path: `/api/traffic/${NS}/any-vs/routes/0/match`, body: {}, expect: write('operator') },
  { method: 'PUT', path: `/api/traffic/${NS}/any-vs/routes/0/destinations`, body: {}, expect: write('operator') },
  { method: 'PUT', path: `/api/resilience/rules/${NS}/any-rule`, body: {}, expect: write('operator') },
  { method: 'PUT', path: `/api/resilience/routes/${NS}/any-vs/0`, body: {}, expect: write('operator') },
  { method: 'PUT', path: `/api/security/rate-limits/${NS}/any-filter/0`, body: {}, expect: write('admin') },
  { method: 'POST', path: `/api/security/emergency/${NS}/start`, body: {}, expect: write('admin') },
  { method: 'POST', path: `/api/security/emergency/${NS}/extend`, body: {}, expect: write('admin') },
  { method: 'POST', path: `/api/security/emergency/${NS}/restore`, body: {}, expect: write('admin') },
  { method: 'POST', path: `/api/rollouts/${NS}/any-vs`, body: {}, expect: write('operator') },
  { method: 'POST', path: `/api/rollouts/${NS}/any-vs/pause`, body: {}, expect: write('operator') },
  { method: 'POST', path: `/api/rollouts/${NS}/any-vs/skip`, body: {}, expect: write('admin') }, // skip and promote bypass the evidence
  // Owned by the audit engineer: only who may call it is asserted here.
  {
    method: 'POST',
    path: `/api/audit/${NS}/00000000-0000-4000-8000-000000000000/revert`,
    body: {},
    expect: { ...write('operator'), operator: '4xx', admin: '4xx' },
  },
];

function headersFor(identity: Identity, { base, cookies }: ApiHarness): Record<string, string> {
  const own = { origin: base };
  switch (identity) {
    case 'anonymous':
      return own;
    case 'cross-site':
      return { cookie: cookies.admin, origin: 'https://attacker.example' };
    case 'no-origin':
      return { cookie: cookies.admin };
    default:
      return { cookie: cookies[identity], ...own };
  }
}

const harness = apiHarnessForThisFile();

test('every route answers every kind of caller as the roles say, and nothing changes', async () => {
  test.setTimeout(120_000);
  const before = harness().clusterState();
  const table: string[] = [`| route | ${IDENTITIES.join(' | ')} |`, `| --- |${' --- |'.repeat(IDENTITIES.length)}`];
  const failures: string[] = [];
  for (const row of ROWS) {
    const cells: string[] = [];
    for (const identity of IDENTITIES) {
      const body = row.body === undefined ? undefined : JSON.stringify(row.body);
      const response = await harness().send(
        row.method,
        row.path,
        { ...headersFor(identity, harness()), ...(body ? { 'content-type': 'application/json' } : {}) },
        body,
      );
      const expected = row.expect[identity];
      const ok = expected === '4xx' ? response.status >= 400 && response.status < 500 && ![401, 403].includes(response.status) : response.status === expected;
      if (!ok) failures.push(`${row.method} ${row.path} as ${identity}: ${response.status} (expected ${expected}) ${response.body.slice(0, 200)}`);
      if (response.status >= 400)
        expect(JSON.parse(response.body), `${row.method} ${row.path} as ${identity}`).toEqual({
          error: expect.objectContaining({ status: response.status, reason: expect.any(String), message: expect.any(String) }),
        });
      cells.push(String(response.status));
    }
    table.push(`| ${row.method} ${row.path} | ${cells.join(' | ')} |`);
  }
  console.info(`\nroute × identity → status\n${table.join('\n')}\n`);
  expect(failures).toEqual([]);
  expect(harness().clusterState()).toEqual(before);
});
