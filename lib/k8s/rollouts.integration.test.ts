// The rollouts API through its route handlers against a running sandbox, as each role calls it:
// a start is checked (plan fields, the route, the controller's arming) before one JSON patch on
// the version the person saw; controls are audited, admin-only where they bypass the evidence;
// a stale version answers 409 with the state now.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { LeaderArming } from '@/lib/k8s/lease-election';
import { dashboardSandbox } from '../security/sandbox-requests';

type Role = 'viewer' | 'operator' | 'admin';
const who = (role: Role) => ({ name: role, email: `${role}@meshdeck.local`, groups: [`meshdeck:${role}s`], role });
let signedIn = who('operator');
vi.mock('next-auth', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  getServerSession: vi.fn(async () => ({ user: signedIn })),
}));

// No rollout controller runs in this process: the real arming says so (409), until a test arms it.
const arming = vi.hoisted(() => ({ armed: false }));
const ARMED: LeaderArming = { armed: true, replica: 'test-replica', holder: 'test-replica', lease: 'meshdeck/meshdeck-emergency-reconciler' };
vi.mock('@/lib/rollout/controller', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/rollout/controller')>();
  return {
    ...real,
    rolloutArming: async () => (arming.armed ? ARMED : real.rolloutArming()),
    requireArmedRollouts: async () => (arming.armed ? ARMED : real.requireArmedRollouts()),
  };
});

const api = dashboardSandbox();
const NS = 'rollout-api-test';
const NAME = 'split';
const BARE = 'no-rollout';
const vsPath = (name: string) => `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices/${name}`;
type Vs = { metadata: { resourceVersion: string; annotations?: Record<string, string> }; spec: { http: { route: { weight?: number }[] }[] } };

const plan = (changes: Record<string, unknown> = {}) => ({
  route: 0,
  stable: { host: NAME, subset: 'stable' },
  candidate: { host: NAME, subset: 'canary' },
  steps: [10, 50, 100],
  stepDuration: '5m',
  interval: '1m',
  window: '2m',
  gates: { minRequests: 10, maxErrorRate: 0.05 },
  maxFailedChecks: 2,
  ...changes,
});

interface Answer {
  status: number;
  body: {
    item?: { resourceVersion: string; state: { phase: string; step: number }; destinations: { weight: number }[] };
    items?: { name: string; phase: string }[];
    current?: { resourceVersion: string; state?: { phase: string } };
    controller?: LeaderArming;
    dryRun?: boolean;
    error?: { message: string; reason: string };
  };
}
const answer = async (response: Response): Promise<Answer> => ({ status: response.status, body: (await response.json()) as Answer['body'] });
const write = (url: string, body: unknown) =>
  new Request(`http://localhost${url}`, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, body: JSON.stringify(body) });

async function start(body: unknown, query = '') {
  const { POST } = await import('../../app/api/rollouts/[namespace]/[name]/route');
  return answer(await POST(write(`/api/rollouts/${NS}/${NAME}${query}`, body), { params: Promise.resolve({ namespace: NS, name: NAME }) }));
}
async function steer(action: string, body: unknown) {
  const { POST } = await import('../../app/api/rollouts/[namespace]/[name]/[action]/route');
  return answer(await POST(write(`/api/rollouts/${NS}/${NAME}/${action}`, body), { params: Promise.resolve({ namespace: NS, name: NAME, action }) }));
}
async function detail(name: string) {
  const { GET } = await import('../../app/api/rollouts/[namespace]/[name]/route');
  return answer(await GET(new Request(`http://localhost/api/rollouts/${NS}/${name}`), { params: Promise.resolve({ namespace: NS, name }) }));
}
const version = async () => (await api<Vs>(vsPath(NAME))).metadata.resourceVersion;
/** Waits for an audit entry of the action with this result and reason (the trail is read from a watch cache). */
async function audited(action: string, entry: { result: 'applied' | 'failed'; reason: string; user?: string }) {
  const { listAudit } = await import('../audit/audit');
  await expect.poll(async () => (await listAudit({ namespace: NS, action })).some((e) => Object.entries(entry).every(([k, v]) => e[k as keyof typeof e] === v)), { timeout: 5000 }).toBe(true);
}

beforeAll(async () => {
  process.env.MESHDECK_AUDIT_KEY = 'integration-test-audit-key-0123456789abcdef';
  const weighted = (name: string) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: NS },
    spec: { hosts: [NAME], http: [{ name: 'default', route: [100, 0].map((weight, i) => ({ destination: { host: NAME, subset: ['stable', 'canary'][i] }, weight })) }] },
  });
  const scene: [string, unknown][] = [
    ['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }],
    // The host must exist, or the analysis gate refuses a start that sends it traffic.
    [`/api/v1/namespaces/${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NS }, spec: { selector: { app: NAME }, ports: [{ name: 'http', port: 80 }] } }],
    [
      `/apis/networking.istio.io/v1/namespaces/${NS}/destinationrules`,
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: NAME, namespace: NS }, spec: { host: NAME, subsets: ['v1', 'v2'].map((version, i) => ({ name: ['stable', 'canary'][i], labels: { version } })) } },
    ],
    [`/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices`, weighted(NAME)],
    [`/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices`, weighted(BARE)],
  ];
  for (const [path, body] of scene) await api(path, { method: 'POST', body });
}, 60_000);

describe('starting a rollout', () => {
  it('refuses a viewer before reading anything', async () => {
    signedIn = who('viewer');
    try {
      const refused = await start({ resourceVersion: await version(), reason: 'ship v2', plan: plan() });
      expect(refused.status).toBe(403);
    } finally {
      signedIn = who('operator');
    }
  });

  it('answers a bad plan with a 400 naming the field, and writes nothing', async () => {
    const resourceVersion = await version();
    const bad = async (changes: Record<string, unknown>) => {
      const { status, body } = await start({ resourceVersion, reason: 'ship v2', plan: plan(changes) });
      expect(status).toBe(400);
      return body.error!.message;
    };
    expect(await bad({ steps: [10, 5, 100] })).toMatch(/^plan\.steps: /);
    expect(await bad({ gates: { custom: [{ name: 'orders', query: 'sum(rate(orders_total[$window]))' }] } })).toMatch(/plan\.gates\.custom\.0: give a max or a min threshold/);
    expect(await bad({ candidate: { host: NAME, subset: 'canry' } })).toBe(`plan.candidate: route 1 (default) of ${NAME} has no destination subset canry of ${NAME} (it has stable, canary)`);
    expect(await bad({ stepDuration: 'soon' })).toMatch(/plan\.stepDuration: /);
    expect((await api<Vs>(vsPath(NAME))).metadata.resourceVersion).toBe(resourceVersion);
  });

  it('refuses to start while no rollout controller is armed (nothing would move or roll back)', async () => {
    const { status, body } = await start({ resourceVersion: await version(), reason: 'ship v2', plan: plan() });
    expect(status).toBe(409);
    expect(body.error).toMatchObject({ reason: 'RolloutControllerNotArmed', message: expect.stringMatching(/^The rollout controller is not armed: .*\. The rollout was not started\.$/) });
    expect(body.current).toBeUndefined(); // not a conflict with the object: nothing to review
  });

  it('previews with ?dryRun=true, then starts: one patch of the weights and the annotation, audited', async () => {
    arming.armed = true;
    const resourceVersion = await version();
    const preview = await start({ resourceVersion, reason: 'ship v2', plan: plan() }, '?dryRun=true');
    expect(preview.status).toBe(200);
    expect(preview.body.dryRun).toBe(true);
    expect(await version()).toBe(resourceVersion);

    const started = await start({ resourceVersion, reason: 'ship v2', plan: plan() });
    expect(started.status).toBe(200);
    expect(started.body.item!.state).toMatchObject({ phase: 'Progressing', step: 0 });
    expect(started.body.item!.destinations.map((d) => d.weight)).toEqual([90, 10]);
    const stored = await api<Vs>(vsPath(NAME));
    expect(stored.spec.http[0]!.route.map((r) => r.weight)).toEqual([90, 10]);
    expect(JSON.parse(stored.metadata.annotations!['meshdeck.io/rollout']!)).toMatchObject({ phase: 'Progressing', startedBy: 'operator@meshdeck.local', reason: 'ship v2' });
    await audited('rollout.start', { result: 'applied', reason: 'ship v2', user: 'operator@meshdeck.local' });
    // The entry says what moved in words, not the annotation; it is undone with the rollout's controls, not reverted.
    const { listAudit } = await import('../audit/audit');
    const [entry] = await listAudit({ namespace: NS, action: 'rollout.start' });
    expect(entry!.changes).toEqual([
      { path: '/spec/http/0/route/0/weight', label: 'stable weight', before: { value: 100 }, after: { value: 90 } },
      { path: '/spec/http/0/route/1/weight', label: 'canary weight', before: { value: 0 }, after: { value: 10 } },
      { path: '/metadata/annotations/meshdeck.io~1rollout', label: 'rollout', before: { absent: true }, after: { described: 'Progressing, step 1 of 3 (10 %)' } },
    ]);
    expect(entry).toMatchObject({ trust: 'signed', revertible: false, notRevertible: expect.stringMatching(/own controls/) });
  });

  it('refuses a second rollout on the same VirtualService with 409', async () => {
    const { status, body } = await start({ resourceVersion: await version(), reason: 'again', plan: plan() });
    expect(status).toBe(409);
    expect(body.error!.message).toMatch(/already/);
  });
});

describe('reading rollouts', () => {
  it('lists the rollout with the controller, and 404s a VirtualService without one', async () => {
    const { GET } = await import('../../app/api/rollouts/route');
    const list = async () => answer(await GET(new Request(`http://localhost/api/rollouts?namespace=${NS}`)));
    // Read from the watch cache, which follows the write within moments.
    await expect.poll(async () => (await list()).body.items, { timeout: 5000 }).toEqual([expect.objectContaining({ name: NAME, phase: 'Progressing' })]);
    expect((await list()).body.controller).toEqual(ARMED);
    expect((await detail(NAME)).body.item!.state.phase).toBe('Progressing');
    // No Prometheus for this test: the charts say so, the rest of the page reads on.
    delete process.env.MESHDECK_PROMETHEUS_URL;
    const { GET: series } = await import('../../app/api/rollouts/[namespace]/[name]/series/route');
    const charts = async (step: number) =>
      answer(await series(new Request(`http://localhost/api/rollouts/${NS}/${NAME}/series?step=${step}`), { params: Promise.resolve({ namespace: NS, name: NAME }) }));
    const down = await charts(0);
    expect(down.status).toBe(503);
    expect(down.body.error!.message).toMatch(/^The gate charts need Prometheus: /);
    expect((await charts(2)).body.error!.message).toBe('Step 3 of this rollout has not begun');
    const none = await detail(BARE);
    expect(none.status).toBe(404);
    expect(none.body.error!.message).toBe(`VirtualService ${NS}/${BARE} has no rollout`);
  });
});

describe('controlling a rollout', () => {
  it('refuses skip to an operator (it bypasses the evidence), and the viewer anything', async () => {
    const resourceVersion = await version();
    const skipped = await steer('skip', { resourceVersion, reason: 'looks fine' });
    expect(skipped.status).toBe(403);
    expect(skipped.body.error!.message).toMatch(/admin/);
    signedIn = who('viewer');
    try {
      expect((await steer('pause', { resourceVersion, reason: 'looks odd' })).status).toBe(403);
    } finally {
      signedIn = who('operator');
    }
  });

  it('answers a control on an old version with 409 and the rollout as it is now', async () => {
    const old = await version();
    await api(vsPath(NAME), { method: 'PATCH', type: 'application/merge-patch+json', body: { metadata: { labels: { touched: 'by-kubectl' } } } });
    const now = await version();
    const { status, body } = await steer('pause', { resourceVersion: old, reason: 'looks odd' });
    expect(status).toBe(409);
    expect(body.current).toMatchObject({ resourceVersion: now, state: { phase: 'Progressing' } });
    await audited('rollout.pause', { result: 'failed', reason: 'looks odd' });
  });

  it('pauses on the current version, audited, and a skip by an admin moves on a step', async () => {
    const paused = await steer('pause', { resourceVersion: await version(), reason: 'looks odd' });
    expect(paused.status).toBe(200);
    expect(paused.body.item!.state.phase).toBe('Paused');
    await audited('rollout.pause', { result: 'applied', reason: 'looks odd' });
    const missing = await steer('resume', { resourceVersion: paused.body.item!.resourceVersion });
    expect(missing.status).toBe(400);

    const resumed = await steer('resume', { resourceVersion: paused.body.item!.resourceVersion, reason: 'false alarm' });
    expect(resumed.body.item!.state.phase).toBe('Progressing');
    signedIn = who('admin');
    try {
      const skipped = await steer('skip', { resourceVersion: resumed.body.item!.resourceVersion, reason: 'evidence from staging' });
      expect(skipped.status).toBe(200);
      expect(skipped.body.item!.state.step).toBe(1);
      expect(skipped.body.item!.destinations.map((d) => d.weight)).toEqual([50, 50]);
    } finally {
      signedIn = who('operator');
    }
  });
});
