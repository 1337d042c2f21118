// The audit trail against a running sandbox, through the route handlers themselves: concurrent
// writes each get exactly their entry, forged entries are shown untrusted and never reverted,
// a trail that cannot be written yet leaves the change applied and the entry pending.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sandboxAdmin } from '../security/sandbox-requests';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing.ts';

type SessionUser = { name: string; email: string; groups: string[]; role: string } | null;
const users: Record<string, SessionUser> = {
  operator: { name: 'operator', email: 'operator@meshdeck.local', groups: ['meshdeck:operators'], role: 'operator' },
  viewer: { name: 'viewer', email: 'viewer@meshdeck.local', groups: ['meshdeck:viewers'], role: 'viewer' },
  none: null,
};
let signedIn: SessionUser = users.operator!;
vi.mock('next-auth', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  getServerSession: vi.fn(async () => (signedIn ? { user: signedIn } : null)),
}));

let sandbox: TestSandbox;
const api = sandboxAdmin(() => sandbox);
const NS = 'audit-load';
const OBJECTS = 20;

type Vs = { metadata: { resourceVersion: string; name: string }; spec: { http: { route: { weight?: number }[] }[] } };
const vsPath = (name: string, ns = NS) => `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices/${name}`;
const virtualService = (name: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace: NS },
  spec: {
    hosts: [name],
    http: [
      {
        name: 'split',
        route: [
          { destination: { host: name, subset: 'stable' }, weight: 100 },
          { destination: { host: name, subset: 'canary' }, weight: 0 },
        ],
      },
    ],
  },
});
const service = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] },
});
const destinationRule = (name: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name, namespace: NS },
  spec: { host: name, subsets: ['stable', 'canary'].map((subset) => ({ name: subset, labels: { version: subset } })) },
});
const weightsOf = async (name: string, ns = NS) => (await api<Vs>(vsPath(name, ns))).spec.http[0]!.route.map((r) => r.weight);

async function putWeights(name: string, resourceVersion: string, canary: number, reason: string, ns = NS) {
  // A page sends the version it was shown, which came from the watch cache.
  await cached(name, resourceVersion);
  const { PUT } = await import('../../app/api/traffic/[namespace]/[name]/routes/[index]/weights/route');
  const body = {
    resourceVersion,
    reason,
    weights: [
      { host: name, subset: 'stable', weight: 100 - canary },
      { host: name, subset: 'canary', weight: canary },
    ],
  };
  const response = await PUT(
    new Request(`http://localhost/api/traffic/${ns}/${name}/routes/0/weights`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ namespace: ns, name, index: '0' }) },
  );
  return {
    status: response.status,
    body: (await response.json()) as { audit?: { status: string; id: string; message?: string }; error?: { message: string } },
  };
}

async function revert(namespace: string, id: string, reason = 'roll it back') {
  const { POST } = await import('../../app/api/audit/[namespace]/[id]/revert/route');
  const response = await POST(
    new Request(`http://localhost/api/audit/${namespace}/${id}/revert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ reason }),
    }),
    { params: Promise.resolve({ namespace, id }) },
  );
  return { status: response.status, body: (await response.json()) as { error?: { message: string }; audit?: { status: string } } };
}

const trail = async (namespace = NS) => (await import('./audit')).listAudit({ namespace });
async function cached(name: string, resourceVersion: string) {
  for (let wait = 0; !(await cacheHas(name, resourceVersion)); wait++) {
    if (wait > 100) throw new Error(`${name}@${resourceVersion} never reached the cache`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const cacheHas = async (name: string, resourceVersion: string) => {
  const { cacheFor } = await import('../k8s/caches');
  const { virtualServices } = await import('../k8s/resources');
  return (await cacheFor<Vs & { metadata: { namespace: string } }>(virtualServices)).get(NS, name)?.metadata.resourceVersion === resourceVersion;
};

beforeAll(async () => {
  sandbox = await startTestSandbox();
  process.env.KUBECONFIG = sandbox.kubeconfig;
  process.env.MESHDECK_KUBE_CONTEXT = 'meshdeck-dashboard';
  process.env.MESHDECK_AUDIT_KEY = 'integration-test-audit-key-0123456789abcdef';
  await api('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
  for (let i = 0; i <= OBJECTS; i++) {
    // A sound mesh: the analysis gate refuses sending traffic to a host or subset that does not exist.
    await api(`/api/v1/namespaces/${NS}/services`, { method: 'POST', body: service(`vs-${i}`) });
    await api(`/apis/networking.istio.io/v1/namespaces/${NS}/destinationrules`, { method: 'POST', body: destinationRule(`vs-${i}`) });
    await api(`/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices`, { method: 'POST', body: virtualService(`vs-${i}`) });
  }
  for (let i = 0; i <= OBJECTS; i++) {
    await cached(`vs-${i}`, (await api<Vs>(vsPath(`vs-${i}`))).metadata.resourceVersion);
  }
}, 60_000);
afterAll(async () => sandbox?.stop());

describe('no lost or false audit records under load', () => {
  it('50 concurrent conflicting writes to one VirtualService: one 200 with one applied entry, 49 409s with none', async () => {
    const { metadata } = await api<Vs>(vsPath('vs-0'));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => putWeights('vs-0', metadata.resourceVersion, i + 1, `conflict run ${i}`)));
    const ok = results.flatMap((r, i) => (r.status === 200 ? [i] : []));
    const conflicts = results.flatMap((r, i) => (r.status === 409 ? [i] : []));
    console.info(
      `[audit load] one object, 50 writers: ${ok.length}×200, ${conflicts.length}×409, other: ${results.filter((r) => ![200, 409].includes(r.status)).map((r) => `${r.status} ${r.body.error?.message}`)[0]}`,
    );
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(49);
    expect(results[ok[0]!]!.body.audit?.status).toBe('recorded');
    expect(await weightsOf('vs-0')).toEqual([100 - (ok[0]! + 1), ok[0]! + 1]);

    const entries = (await trail()).filter((e) => e.resource.name === 'vs-0' && e.reason.startsWith('conflict run'));
    const applied = entries.filter((e) => e.result === 'applied');
    expect(applied.map((e) => e.reason)).toEqual([`conflict run ${ok[0]}`]);
    expect(applied[0]).toMatchObject({ trust: 'signed', revertible: true, resourceVersion: (await api<Vs>(vsPath('vs-0'))).metadata.resourceVersion });
    // Every refusal is in the trail as a failed attempt, never as applied.
    expect(
      entries
        .filter((e) => e.result === 'failed')
        .map((e) => e.reason)
        .sort(),
    ).toEqual(conflicts.map((i) => `conflict run ${i}`).sort());
    console.info(`[audit load] one object: ${applied.length} applied entry, ${entries.length - applied.length} failed entries`);
  }, 60_000);

  it('20 concurrent writes to 20 VirtualServices: 20×200, each object changed and with exactly its entry', async () => {
    const names = Array.from({ length: OBJECTS }, (_, i) => `vs-${i + 1}`);
    const versions = await Promise.all(names.map(async (n) => (await api<Vs>(vsPath(n))).metadata.resourceVersion));
    const results = await Promise.all(names.map((n, i) => putWeights(n, versions[i]!, 30, `spread run ${n}`)));
    console.info(
      `[audit load] 20 objects: ${results.filter((r) => r.status === 200).length}×200, audit ${results.map((r) => r.body.audit?.status).filter((s) => s === 'recorded').length} recorded`,
    );
    expect(results.map((r) => r.status)).toEqual(names.map(() => 200));
    expect(results.map((r) => r.body.audit?.status)).toEqual(names.map(() => 'recorded'));
    await expect.poll(async () => (await trail()).filter((e) => e.reason.startsWith('spread run')).length, { timeout: 10_000 }).toBe(OBJECTS);
    const entries = (await trail()).filter((e) => e.reason.startsWith('spread run'));
    for (const name of names) {
      const mine = entries.filter((e) => e.resource.name === name);
      expect(mine.map((e) => [e.result, e.trust, e.reason])).toEqual([['applied', 'signed', `spread run ${name}`]]);
      const vs = await api<Vs>(vsPath(name));
      expect(vs.spec.http[0]!.route.map((r) => r.weight)).toEqual([70, 30]);
      expect(mine[0]!.resourceVersion).toBe(vs.metadata.resourceVersion);
    }
  }, 60_000);

  it('a change whose entry cannot be stored yet is applied, answered 200 "audit pending", and stored once it can be', async () => {
    type Role = { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const rolePath = '/apis/rbac.authorization.k8s.io/v1/clusterroles/meshdeck-dashboard';
    const role = await api<Role & { metadata: object }>(rolePath);
    const withoutCreate = {
      ...role,
      rules: role.rules.map((r) => (r.resources.includes('configmaps') ? { ...r, verbs: r.verbs.filter((v) => v !== 'create') } : r)),
    };
    await api(rolePath, { method: 'PUT', body: withoutCreate });
    try {
      const { metadata } = await api<Vs>(vsPath(`vs-${OBJECTS}`));
      const result = await putWeights(`vs-${OBJECTS}`, metadata.resourceVersion, 40, 'while the trail is read-only');
      expect(result.status).toBe(200);
      expect(result.body.audit).toMatchObject({ status: 'pending', message: expect.stringMatching(/^applied; audit pending/) });
      expect(await weightsOf(`vs-${OBJECTS}`)).toEqual([60, 40]);
      expect((await trail()).find((e) => e.reason === 'while the trail is read-only')).toMatchObject({ trust: 'pending', revertible: false });
    } finally {
      const current = await api<{ metadata: object }>(rolePath);
      await api(rolePath, { method: 'PUT', body: { ...role, metadata: current.metadata } });
    }
    await expect
      .poll(async () => (await trail()).find((e) => e.reason === 'while the trail is read-only')?.trust, { timeout: 30_000, interval: 500 })
      .toBe('signed');
  }, 60_000);
});

describe('an audit trail you can trust', () => {
  type ConfigMap = { metadata: { name: string; namespace: string; labels?: Record<string, string> }; data: Record<string, string> };
  const plant = (namespace: string, name: string, entry: unknown) =>
    api(`/api/v1/namespaces/${namespace}/configmaps`, {
      method: 'POST',
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'meshdeck', 'meshdeck.io/audit': 'entry' } },
        data: { 'entry.json': JSON.stringify(entry) },
      },
    });
  let changeCount = 0;
  const signedEntry = async () => {
    const { metadata } = await api<Vs>(vsPath('vs-1'));
    // A different split each time, so that every change changes something.
    const result = await putWeights('vs-1', metadata.resourceVersion, 41 + (changeCount++ % 50), `signed change ${randomUUID()}`);
    expect(result.status).toBe(200);
    const id = result.body.audit!.id;
    await expect.poll(async () => (await trail()).find((e) => e.id === id)?.trust, { timeout: 10_000 }).toBe('signed');
    const { auditCache } = await import('./audit');
    const map = (await auditCache()).list(NS).find((m) => m.metadata.name.endsWith(id)) as ConfigMap;
    return { id, map, entry: JSON.parse(map.data['entry.json']!) as Record<string, unknown> & { changes: unknown[]; resource: Record<string, string> } };
  };
  const unchanged = async (name: string, ns: string, fn: () => Promise<void>) => {
    const before = (await api<Vs>(vsPath(name, ns))).metadata.resourceVersion;
    await fn();
    expect((await api<Vs>(vsPath(name, ns))).metadata.resourceVersion).toBe(before);
  };

  it('checks sign-in and role before looking anything up', async () => {
    const { id } = await signedEntry();
    signedIn = users.none!;
    try {
      expect((await revert(NS, id)).status).toBe(401);
      expect((await revert(NS, randomUUID())).status).toBe(401);
      signedIn = users.viewer!;
      expect((await revert(NS, id)).status).toBe(403);
    } finally {
      signedIn = users.operator!;
    }
  });

  it('reverts a signed entry from its before/after values, once, and never over a later change', async () => {
    const before = await weightsOf('vs-1');
    const { id } = await signedEntry();
    expect(await weightsOf('vs-1')).not.toEqual(before);
    const first = await revert(NS, id);
    expect(first.status, first.body.error?.message).toBe(200);
    expect(await weightsOf('vs-1')).toEqual(before);
    await expect.poll(async () => (await trail()).find((e) => e.id === id)?.revertedBy, { timeout: 10_000 }).toMatch(/operator@meshdeck.local/);
    expect((await revert(NS, id)).status).toBe(409);

    const later = await signedEntry();
    const { metadata } = await api<Vs>(vsPath('vs-1'));
    expect((await putWeights('vs-1', metadata.resourceVersion, 10, 'a later change')).status).toBe(200);
    await unchanged('vs-1', NS, async () => {
      const refused = await revert(NS, later.id);
      expect(refused.status).toBe(409);
    });
    expect(await weightsOf('vs-1')).toEqual([90, 10]);
  });

  it('a planted unsigned entry shows as untrusted, and its revert is refused without touching anything', async () => {
    const id = randomUUID();
    const time = new Date().toISOString();
    const forged = {
      format: 2,
      id,
      time,
      user: 'admin@meshdeck.local',
      role: 'admin',
      action: 'traffic.weights',
      resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: NS, name: 'vs-2' },
      summary: 'looks legitimate',
      reason: 'trust me',
      result: 'applied',
      resourceVersion: (await api<Vs>(vsPath('vs-2'))).metadata.resourceVersion,
      changes: [{ path: '/spec/http/0/route/0/weight', before: { value: 0 }, after: { value: 70 } }],
    };
    const { entryObjectName } = await import('./audit');
    await plant(NS, entryObjectName({ id, time }), forged);
    await expect
      .poll(async () => (await trail()).find((e) => e.id === id), { timeout: 10_000 })
      .toMatchObject({ trust: 'untrusted', revertible: false, user: 'admin@meshdeck.local' });
    await unchanged('vs-2', NS, async () => {
      const refused = await revert(NS, id);
      expect(refused.status).toBe(422);
      expect(refused.body.error?.message).toMatch(/untrusted/);
    });
  });

  it('a signed entry tampered with (other object, other values) keeps its signature but loses trust', async () => {
    const { entry, map } = await signedEntry();
    const id = randomUUID();
    const tampered = {
      ...entry,
      id,
      resource: { ...entry.resource, name: 'vs-3' },
      changes: [{ path: '/spec/http/0/route/0/weight', before: { value: 0 }, after: { value: 70 } }],
    };
    const { entryObjectName } = await import('./audit');
    await plant(NS, entryObjectName({ id, time: entry.time as string }), tampered);
    expect(map.metadata.name).not.toBe(entryObjectName({ id, time: entry.time as string }));
    await expect.poll(async () => (await trail()).find((e) => e.id === id)?.trustNote, { timeout: 10_000 }).toMatch(/signature does not match/);
    await unchanged('vs-3', NS, async () => expect((await revert(NS, id)).status).toBe(422));
  });

  it('a signed entry copied to another namespace is refused there, and the URL namespace must be the entry’s', async () => {
    const { id, entry, map } = await signedEntry();
    await plant('istio-system', map.metadata.name, entry);
    await expect.poll(async () => (await trail('istio-system')).find((e) => e.id === id)?.trust, { timeout: 10_000 }).toBe('untrusted');
    await unchanged('vs-1', NS, async () => {
      const refused = await revert('istio-system', id);
      expect(refused.status).toBe(404);
    });
  });

  it('an entry naming a ConfigMap, or without a resource, is shown (untrusted or invalid) and never reverted', async () => {
    const { entryObjectName } = await import('./audit');
    const time = new Date().toISOString();
    const wrongKind = { id: randomUUID(), time };
    await plant(NS, entryObjectName(wrongKind), {
      format: 2,
      ...wrongKind,
      user: 'x',
      role: 'admin',
      action: 'traffic.weights',
      resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'meshdeck-config' },
      summary: '',
      reason: '',
      result: 'applied',
      resourceVersion: '1',
      changes: [{ path: '/data/x', before: { value: 'evil' }, after: { value: 'y' } }],
    });
    const noResource = { id: randomUUID(), time };
    await plant(NS, entryObjectName(noResource), {
      format: 2,
      ...noResource,
      user: 'x',
      role: 'admin',
      action: 'traffic.weights',
      summary: '',
      reason: '',
      result: 'applied',
      changes: [],
    });
    await expect
      .poll(
        async () =>
          (await trail())
            .filter((e) => [wrongKind.id, entryObjectName(noResource)].includes(e.id))
            .map((e) => e.trust)
            .sort(),
        { timeout: 10_000 },
      )
      .toEqual(['invalid', 'untrusted']);
    expect((await revert(NS, wrongKind.id)).status).toBe(422);
    expect((await revert(NS, noResource.id)).status).toBe(404);
  });

  it('refuses a reason over 500 characters with 400 before anything changes; trims one padded with spaces', async () => {
    await unchanged('vs-4', NS, async () => {
      const { metadata } = await api<Vs>(vsPath('vs-4'));
      const refused = await putWeights('vs-4', metadata.resourceVersion, 5, 'x'.repeat(501));
      expect(refused.status).toBe(400);
      expect(refused.body.error?.message).toMatch(/at most 500 characters/);
    });
    const { metadata } = await api<Vs>(vsPath('vs-4'));
    const padded = await putWeights('vs-4', metadata.resourceVersion, 5, `abc${' '.repeat(60_000)}`);
    expect(padded.status).toBe(200);
    await expect.poll(async () => (await trail()).find((e) => e.id === padded.body.audit?.id)?.reason, { timeout: 10_000 }).toBe('abc');
  });
});

describe('retention', () => {
  it('deletes only entry objects past their age, by uid, and leaves the legacy history and other ConfigMaps', async () => {
    const configMap = (name: string, labels: Record<string, string>, data: Record<string, string>) =>
      api(`/api/v1/namespaces/${NS}/configmaps`, {
        method: 'POST',
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels }, data },
      });
    const legacy = {
      id: 'a',
      time: '2025-01-01T00:00:00Z',
      user: 'operator@meshdeck.local',
      role: 'operator',
      action: 'traffic.weights',
      resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: NS, name: 'vs-1' },
      summary: 'old change',
      reason: 'from before',
      patch: [],
      result: 'applied',
    };
    await configMap('meshdeck-audit', { 'app.kubernetes.io/managed-by': 'meshdeck' }, { 'entries.json': JSON.stringify([legacy]) });
    await configMap('not-an-entry', { 'app.kubernetes.io/managed-by': 'meshdeck', 'meshdeck.io/audit': 'entry' }, {});
    await expect.poll(async () => (await trail()).find((e) => e.trust === 'legacy')?.summary, { timeout: 10_000 }).toBe('old change');
    const { sweepAudit } = await import('./retention');
    const stored = (await trail()).filter((e) => e.source.startsWith(`${NS}/meshdeck-audit-`)).length;
    expect(stored).toBeGreaterThan(70);
    // Nothing is old yet, and the namespace is under its budget.
    expect(await sweepAudit({ maxAgeDays: 90, namespaceBudgetBytes: 10 * 1024 * 1024 })).toBe(0);
    expect(await sweepAudit({ maxAgeDays: 90, namespaceBudgetBytes: 10 * 1024 * 1024 }, Date.now() + 91 * 86_400_000)).toBeGreaterThanOrEqual(stored);
    await expect.poll(async () => (await trail()).filter((e) => e.source.startsWith(`${NS}/meshdeck-audit-`)).length, { timeout: 10_000 }).toBe(0);
    const names = (await api<{ items: { metadata: { name: string } }[] }>(`/api/v1/namespaces/${NS}/configmaps`)).items.map((c) => c.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['meshdeck-audit', 'not-an-entry']));
  });
});
