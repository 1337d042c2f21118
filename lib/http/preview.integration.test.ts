// Previews (`?dryRun=true`) against a running sandbox, through a write route itself: the answer is
// the real object before and after the patch, nothing is written (object and audit trail unchanged),
// and a draft based on an old resourceVersion previews as a conflict.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { dashboardSandbox } from '../security/sandbox-requests';

const operator = { name: 'operator', email: 'operator@meshdeck.local', groups: ['meshdeck:operators'], role: 'operator' };
let signedIn = operator;
vi.mock('next-auth', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  getServerSession: vi.fn(async () => ({ user: signedIn })),
}));

const api = dashboardSandbox();
const NS = 'preview-test';
const NAME = 'split';
const path = `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices/${NAME}`;
type Vs = { metadata: { resourceVersion: string; managedFields?: unknown; generation?: number }; spec: { http: { route: { weight?: number }[] }[] } };

async function previewWeights(resourceVersion: string, canary: number, query = '?dryRun=true') {
  const { PUT } = await import('../../app/api/traffic/[namespace]/[name]/routes/[index]/weights/route');
  const weights = [
    { host: NAME, subset: 'stable', weight: 100 - canary },
    { host: NAME, subset: 'canary', weight: canary },
  ];
  const response = await PUT(
    new Request(`http://localhost/api/traffic/${NS}/${NAME}/routes/0/weights${query}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ resourceVersion, reason: 'try a bigger canary', weights }),
    }),
    { params: Promise.resolve({ namespace: NS, name: NAME, index: '0' }) },
  );
  return {
    status: response.status,
    body: (await response.json()) as { before?: Vs; after?: Vs; summary?: string; current?: { resourceVersion: string }; error?: { message: string } },
  };
}
const trail = async () => (await import('../audit/audit')).listAudit({ namespace: NS });

beforeAll(async () => {
  process.env.MESHDECK_AUDIT_KEY = 'integration-test-audit-key-0123456789abcdef';
  await api('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
  const route = [
    { destination: { host: NAME, subset: 'stable' }, weight: 95 },
    { destination: { host: NAME, subset: 'canary' }, weight: 5 },
  ];
  const spec = { hosts: [NAME], http: [{ name: 'default', route }] };
  await api(`/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices`, {
    method: 'POST',
    body: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: NAME, namespace: NS }, spec },
  });
  await api(`/apis/networking.istio.io/v1/namespaces/${NS}/destinationrules`, {
    method: 'POST',
    body: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: NAME, namespace: NS },
      spec: { host: NAME, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3, interval: '10s' } } },
    },
  });
}, 60_000);

describe('write previews', () => {
  it('answer the real object before and after the patch, and write neither the object nor an audit entry', async () => {
    const stored = await api<Vs>(path);
    const entries = (await trail()).length;
    const { status, body } = await previewWeights(stored.metadata.resourceVersion, 30);
    expect(status).toBe(200);
    expect(body.summary).toBe('default: stable 95% / canary 5% → stable 70% / canary 30%');
    expect(body.before!.spec).toEqual(stored.spec);
    expect(body.after!.spec.http[0]!.route.map((r) => r.weight)).toEqual([70, 30]);
    // Write noise is gone, so a diff shows the change only.
    for (const side of [body.before!, body.after!]) expect(side.metadata).not.toHaveProperty('managedFields');
    expect(body.after!.metadata).not.toHaveProperty('resourceVersion');
    expect(await api<Vs>(path)).toEqual(stored);
    expect((await trail()).length).toBe(entries);
  }, 20_000); // the first write of the process also loads the cluster's analysis (every kind) for the gate

  it('answers a draft based on an old resourceVersion with a conflict and the state now', async () => {
    const old = (await api<Vs>(path)).metadata.resourceVersion;
    await api(path, { method: 'PATCH', type: 'application/merge-patch+json', body: { metadata: { labels: { touched: 'by-kubectl' } } } });
    const moved = await api<Vs>(path);
    const entries = (await trail()).length;
    const { status, body } = await previewWeights(old, 30);
    expect(status).toBe(409);
    expect(body.error!.message).toContain('changed since it was read');
    expect(body.current!.resourceVersion).toBe(moved.metadata.resourceVersion);
    expect(await api<Vs>(path)).toEqual(moved);
    expect((await trail()).length).toBe(entries); // a preview's conflict is no attempt at a change
  });

  it('is checked like the write: bad input is the same 400, an unknown dryRun value a 400 too', async () => {
    const { metadata } = await api<Vs>(path);
    expect((await previewWeights(metadata.resourceVersion, 130)).status).toBe(400);
    expect((await previewWeights(metadata.resourceVersion, 130, '')).status).toBe(400);
    const odd = await previewWeights(metadata.resourceVersion, 30, '?dryRun=yes');
    expect(odd.status).toBe(400);
    expect(odd.body.error!.message).toContain('dryRun');
    expect((await api<Vs>(path)).spec.http[0]!.route.map((r) => r.weight)).toEqual([95, 5]);
  });

  it('the same request without dryRun applies and is audited (so the counts above would have seen an entry)', async () => {
    const { metadata } = await api<Vs>(path);
    const entries = (await trail()).length;
    for (let i = 0; ; i++) {
      const { status } = await previewWeights(metadata.resourceVersion, 30, '?dryRun=false');
      if (status === 200) break;
      expect(status === 409 && i < 50).toBe(true); // the watch cache has not seen the label change yet
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await api<Vs>(path)).spec.http[0]!.route.map((r) => r.weight)).toEqual([70, 30]);
    expect((await trail()).length).toBe(entries + 1);
  });

  it('work the same on another write route (a DestinationRule policy), and refuse who may not write with the same 403', async () => {
    const rulePath = `/apis/networking.istio.io/v1/namespaces/${NS}/destinationrules/${NAME}`;
    type Rule = { metadata: { resourceVersion: string }; spec: { trafficPolicy: { outlierDetection: { consecutive5xxErrors: number } } } };
    const stored = await api<Rule>(rulePath);
    const previewPolicy = async () => {
      const { PUT } = await import('../../app/api/resilience/rules/[namespace]/[name]/route');
      const body = { resourceVersion: stored.metadata.resourceVersion, reason: 'fewer ejections', values: { 'outlierDetection.consecutive5xxErrors': '7' } };
      const response = await PUT(
        new Request(`http://localhost/api/resilience/rules/${NS}/${NAME}?dryRun=true`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
          body: JSON.stringify(body),
        }),
        { params: Promise.resolve({ namespace: NS, name: NAME }) },
      );
      return { status: response.status, body: (await response.json()) as { before?: Rule; after?: Rule } };
    };
    const entries = (await trail()).length;
    const { status, body } = await previewPolicy();
    expect(status).toBe(200);
    expect(body.before!.spec.trafficPolicy.outlierDetection.consecutive5xxErrors).toBe(3);
    expect(body.after!.spec.trafficPolicy.outlierDetection).toEqual({ consecutive5xxErrors: 7, interval: '10s' });
    signedIn = { name: 'viewer', email: 'viewer@meshdeck.local', groups: ['meshdeck:viewers'], role: 'viewer' };
    try {
      expect((await previewPolicy()).status).toBe(403);
    } finally {
      signedIn = operator;
    }
    expect(await api<Rule>(rulePath)).toEqual(stored);
    expect((await trail()).length).toBe(entries);
  });
});
