// Replays the HTTP exchanges recorded from a real kube-apiserver 1.24 with Istio 1.30.3's
// CRDs (../shared/k8s-golden, beside the clone; see its README) against a sandbox with the
// same fixtures, in recording order, and compares the answers by the README's rules, most of
// them more strictly (whole normalized bodies, Status messages included). An exchange the
// sandbox deliberately answers differently is listed in `notReproduced` with the reason.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoIdentity } from './api/auth.ts';
import type { KubeObject } from './api/store.ts';
import { startTestSandbox, type TestSandbox } from './testing.ts';

const goldenDir = resolve(dirname(new URL(import.meta.url).pathname), '../../shared/k8s-golden/exchanges');

/** Exchanges the sandbox deliberately does not reproduce (by number), with the reason. */
const notReproduced: Record<string, string> = {};

/** Exchanges reproduced except for timing (the comparison still runs). */
const timingDiffers: Record<string, string> = {
  '61': 'the 504 for a future resourceVersion comes at once: the sandbox writes synchronously, so waiting ~3 s for the version, as the watch cache does, could not change the answer',
};

interface Exchange {
  title: string;
  request: { method: string; path: string; as: string; headers: Record<string, string>; body: unknown };
  response: { status: number; headers: { 'content-type': string; warning?: string[] }; body: unknown };
}

// One token per identity of the README, with the same user and groups.
const identities: DemoIdentity[] = [
  { context: 'admin', token: 'golden-admin-token', user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] } },
  { context: 'viewer', token: 'golden-viewer-token', user: { username: 'viewer', groups: ['meshdeck:viewers', 'system:authenticated'] } },
  { context: 'operator', token: 'golden-operator-token', user: { username: 'operator', groups: ['meshdeck:operators', 'system:authenticated'] } },
  { context: 'dashboard', token: 'golden-dashboard-token', user: { username: 'meshdeck-dashboard', groups: ['meshdeck:dashboard', 'system:authenticated'] } },
];
const tokenOf = (as: string) =>
  as === 'anonymous' ? undefined : as === 'invalid-token' ? 'a-token-the-server-does-not-know' : identities.find((i) => i.context === as)!.token;

const readMesh = { apiGroups: ['networking.istio.io', 'security.istio.io'], resources: ['*'], verbs: ['get', 'list', 'watch'] };
const rbac = (kind: string, name: string, rest: Record<string, unknown>, namespace?: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  ...rest,
});
const roleRef = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name });
const group = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });
const virtualService = (namespace: string, name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace, ...extra },
  spec: {
    hosts: [name],
    http: [
      {
        route: [
          { destination: { host: name, subset: 'v1' }, weight: 80 },
          { destination: { host: name, subset: 'v2' }, weight: 20 },
        ],
      },
    ],
  },
});

// The README's fixtures: RoleBindings in both namespaces only, and the dashboard's right to impersonate.
const fixtures: KubeObject[] = [
  ...['ai-nutritionist', 'other'].map((name): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
  virtualService('other', 'reports', { labels: { app: 'reports' } }),
  rbac('ClusterRole', 'meshdeck-viewer', { rules: [readMesh] }),
  rbac('ClusterRole', 'meshdeck-operator', {
    rules: [readMesh, { apiGroups: ['networking.istio.io'], resources: ['virtualservices', 'destinationrules'], verbs: ['patch'] }],
  }),
  ...['ai-nutritionist', 'other'].flatMap((namespace) => [
    rbac('RoleBinding', 'meshdeck-viewers', { subjects: [group('meshdeck:viewers')], roleRef: roleRef('meshdeck-viewer') }, namespace),
    rbac('RoleBinding', 'meshdeck-operators', { subjects: [group('meshdeck:operators')], roleRef: roleRef('meshdeck-operator') }, namespace),
  ]),
  rbac('ClusterRole', 'meshdeck-impersonator', { rules: [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }] }),
  rbac('ClusterRoleBinding', 'meshdeck-impersonator', {
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'meshdeck-dashboard' }],
    roleRef: roleRef('meshdeck-impersonator'),
  }),
];

// ---- normalization (README "Normalization of response bodies") ------------------------

const TIME_FIELDS = new Set([
  'creationTimestamp',
  'deletionTimestamp',
  'time',
  'firstTimestamp',
  'lastTimestamp',
  'eventTime',
  'deprecatedFirstTimestamp',
  'deprecatedLastTimestamp',
  'acquireTime',
  'renewTime',
  'lastTransitionTime',
]);

const normalizeMessage = (message: string) =>
  message
    .replace(/precondition \(\d+\)/g, 'precondition (<rv>)')
    .replace(/in record \(\d+\)/g, 'in record (<rv>)')
    .replace(/too old resource version: \d+ \(\d+\)/g, 'too old resource version: <rv> (<rv>)')
    .replace(/current: \d+/g, 'current: <rv>');

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'managedFields') continue;
    if (key === 'resourceVersion' && typeof child === 'string' && child !== '' && child !== '0') out[key] = '<rv>';
    else if (key === 'uid' && typeof child === 'string') out[key] = '<uid>';
    else if (TIME_FIELDS.has(key) && child !== null && child !== undefined) out[key] = '<time>';
    else if (key === 'continue' && typeof child === 'string' && child !== '') out[key] = '<continue>';
    else if (key === 'message' && typeof child === 'string') out[key] = normalizeMessage(child);
    else out[key] = normalize(child);
  }
  return out;
}

// ---- talking to the sandbox --------------------------------------------------------

let sandbox: TestSandbox;
let agent: Agent;

function call(as: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const token = tokenOf(as);
  return fetch(`${sandbox.url}${path}`, {
    method,
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined || body === null ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    dispatcher: agent,
  });
}

async function admin(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeObject & { items?: KubeObject[] }> {
  const response = await call('admin', method, path, { 'content-type': contentType, accept: 'application/json' }, body);
  const json = (await response.json()) as KubeObject;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const vsPath = (namespace: string, name = '') => `/apis/networking.istio.io/v1/namespaces/${namespace}/virtualservices${name ? `/${name}` : ''}`;
const mergePatch = (path: string, patch: unknown) => admin('PATCH', path, patch, 'application/merge-patch+json');

/** Reads a watch stream's newline-delimited events until `enough` says so or the server ends it. */
async function readEvents(body: { getReader(): ReadableStreamDefaultReader<Uint8Array> }, enough: (events: unknown[]) => boolean): Promise<unknown[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: unknown[] = [];
  let buffered = '';
  while (!enough(events)) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
  }
  await reader.cancel();
  return events;
}

// ---- placeholders and the writes the recording made around some exchanges ------------

const replay = { continue: '', expiredContinue: '', touched: new Map<string, { stale: string; after: string }>() };

/** The object's resourceVersion before its latest write: read it, change it, send the old value. */
async function staleResourceVersion(name: string): Promise<string> {
  const live = await admin('GET', vsPath('ai-nutritionist', name));
  const rv = live.metadata.resourceVersion!;
  // Still the version this replay produced: the version before it is still the stale one.
  const known = replay.touched.get(name);
  if (known?.after === rv) return known.stale;
  const touched = await mergePatch(vsPath('ai-nutritionist', name), {
    metadata: { labels: { touched: live.metadata.labels?.touched === 'yes' ? 'again' : 'yes' } },
  });
  replay.touched.set(name, { stale: rv, after: touched.metadata.resourceVersion! });
  return rv;
}

async function placeholders(exchange: Exchange): Promise<[string, string][]> {
  const text = JSON.stringify(exchange.request);
  const path = exchange.request.path.split('?')[0]!;
  const values: [string, string][] = [];
  if (text.includes('<stale-rv>')) values.push(['<stale-rv>', await staleResourceVersion(path.split('/').pop()!)]);
  if (text.includes('<current-rv>')) values.push(['<current-rv>', (await admin('GET', path)).metadata.resourceVersion!]);
  if (text.includes('<too-old-rv>')) values.push(['<too-old-rv>', (await admin('GET', '/api/v1/namespaces/default')).metadata.resourceVersion!]);
  if (text.includes('<expired-continue>')) values.push(['<expired-continue>', replay.expiredContinue]);
  if (text.includes('<continue>')) values.push(['<continue>', replay.continue]);
  if (text.includes('<uid') || text.includes('<time>')) {
    const vs = await admin('GET', vsPath('ai-nutritionist', 'nutrition-service'));
    values.push(['<uid of the VirtualService>', vs.metadata.uid!], ['<uid>', vs.metadata.uid!], ['<time>', vs.metadata.creationTimestamp!]);
  }
  return values;
}

const substitute = (text: string, values: [string, string][]) => values.reduce((s, [placeholder, value]) => s.split(placeholder).join(value), text);

/** Writes the recording script made before an exchange. */
const before: Record<string, () => Promise<void>> = {
  // A continue token, a write, then a compaction (etcd's, here the store's) that leaves the token's version behind.
  '65': async () => {
    replay.expiredContinue = String((await admin('GET', `${vsPath('ai-nutritionist')}?limit=1`)).metadata.continue);
    await mergePatch(vsPath('other', 'reports'), { metadata: { labels: { changed: 'before-compaction' } } });
    sandbox.store.compact();
  },
  '70': async () =>
    void (await admin('POST', vsPath('ai-nutritionist'), virtualService('ai-nutritionist', 'finalized', { finalizers: ['meshdeck.io/cleanup'] }))),
};

/** Writes the recording script made while a watch was open. */
const whileWatching: Record<string, () => Promise<void>> = {
  '62': async () => {
    await admin('POST', vsPath('ai-nutritionist'), virtualService('ai-nutritionist', 'watch-demo'));
    await mergePatch(vsPath('ai-nutritionist', 'watch-demo'), {
      spec: {
        http: [
          {
            route: [
              { destination: { host: 'watch-demo', subset: 'v1' }, weight: 50 },
              { destination: { host: 'watch-demo', subset: 'v2' }, weight: 50 },
            ],
          },
        ],
      },
    });
    await admin('DELETE', vsPath('ai-nutritionist', 'watch-demo'));
  },
  '64': async () => void (await mergePatch(vsPath('other', 'reports'), { metadata: { labels: { changed: 'while-watching' } } })),
};

// How many watch events to read before closing the stream (otherwise: until the server ends it).
const enoughEvents: Record<string, number> = { '62': 3, '65': 1 };

// ---- comparison ------------------------------------------------------------------

type ApiResource = { name: string; verbs: string[]; storageVersionHash?: string };
const resourceSet = (resources: ApiResource[]) =>
  resources
    .map((r) => ({ ...r, verbs: [...r.verbs].sort(), ...(r.storageVersionHash ? { storageVersionHash: '<hash>' } : {}) }))
    .sort((a, b) => a.name.localeCompare(b.name));

function compareBodies(id: string, expected: unknown, actual: unknown): void {
  const want = expected as Record<string, unknown>;
  const got = actual as Record<string, unknown>;
  if (id === '01') {
    // The sandbox reports its own version; the shape is what clients read.
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  } else if (want.kind === 'APIResourceList') {
    // Discovery is compared as sets; 05 keeps only six resources of /api/v1.
    const { resources: wantResources, ...wantRest } = want as { resources: ApiResource[] };
    const { resources: gotResources, ...gotRest } = got as { resources: ApiResource[] };
    const names = new Set(wantResources.map((r) => r.name));
    expect(gotRest).toEqual(wantRest);
    expect(resourceSet(id === '05' ? gotResources.filter((r) => names.has(r.name)) : gotResources)).toEqual(resourceSet(wantResources));
  } else if (id === '60') {
    // resourceVersion=0 is served from the watch cache: in no particular order.
    const byName = (items: KubeObject[]) => [...items].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect({ ...got, items: byName(got.items as KubeObject[]) }).toEqual({ ...want, items: byName(want.items as KubeObject[]) });
  } else if (id === '64') {
    // One or more bookmarks, each as recorded.
    expect((got as unknown as unknown[]).length).toBeGreaterThanOrEqual(1);
    for (const event of got as unknown as unknown[]) expect(event).toEqual((want as unknown as unknown[])[0]);
  } else {
    expect(actual).toEqual(expected);
  }
}

// ---- the replay ------------------------------------------------------------------

const files = existsSync(goldenDir)
  ? readdirSync(goldenDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

describe('the sandbox answers like kube-apiserver 1.24 (../shared/k8s-golden)', () => {
  beforeAll(async () => {
    sandbox = await startTestSandbox({ manifests: null, demoRbac: false, writeEvents: false, identities });
    sandbox.load(fixtures);
    agent = new Agent({ connect: { ca: sandbox.certificate } });
  });
  afterAll(async () => {
    await agent?.close();
    await sandbox?.stop();
  });

  it('finds the recorded exchanges', () => {
    expect(files.length, `no golden exchanges at ${goldenDir}: CI keeps a copy of shared/ beside the clone, at the same relative place`).toBe(74);
  });

  for (const file of files) {
    const id = file.slice(0, 2);
    it(
      file,
      async (context) => {
        const exchange = JSON.parse(readFileSync(resolve(goldenDir, file), 'utf8')) as Exchange;
        const { request } = exchange;
        await before[id]?.();
        const values = await placeholders(exchange);
        const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, substitute(v, values)]));
        const body =
          request.body === null
            ? undefined
            : typeof request.body === 'string'
              ? substitute(request.body, values)
              : JSON.parse(substitute(JSON.stringify(request.body), values));
        const response = await call(request.as, request.method, substitute(request.path, values), headers, body);

        let answer: unknown;
        if (Array.isArray(exchange.response.body)) {
          const writes = whileWatching[id]?.();
          answer = await readEvents(response.body!, (events) => enoughEvents[id] !== undefined && events.length >= enoughEvents[id]);
          await writes;
        } else {
          answer = await response.json();
        }
        if ((answer as { metadata?: { continue?: string } }).metadata?.continue)
          replay.continue = (answer as { metadata: { continue: string } }).metadata.continue;
        if (notReproduced[id]) context.skip(notReproduced[id]);

        expect(response.status, exchange.title).toBe(exchange.response.status);
        expect(response.headers.get('content-type')?.split(';')[0]).toBe(exchange.response.headers['content-type']);
        if (exchange.response.headers.warning) expect(response.headers.get('warning')).toBe(exchange.response.headers.warning.join(', '));
        compareBodies(id, exchange.response.body, normalize(answer));
      },
      15_000,
    );
  }

  it('lists every difference with a reason', () => {
    for (const reason of [...Object.values(notReproduced), ...Object.values(timingDiffers)]) expect(reason.length).toBeGreaterThan(20);
  });
});
