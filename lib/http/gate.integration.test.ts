// The analysis gate against a running sandbox, through a write route itself: a preview names the
// findings a change adds, and the errors of destinations it starts sending traffic to; a real
// write that would send traffic to an undefined subset answers 422 and writes nothing but a
// failed audit entry; an operator may not override (403); an admin's override applies and the
// audit entry records it with the findings; while the analysis is behind the cluster, nothing is
// held back and the preview says the findings were not checked.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { GateAnalysis, GateVerdict } from '@/lib/analysis/gate';
import { dashboardSandbox } from '../security/sandbox-requests';

const demoUser = (role: 'operator' | 'admin') => ({ name: role, email: `${role}@meshdeck.local`, groups: [`meshdeck:${role}s`], role });
const operator = demoUser('operator');
const admin = demoUser('admin');
let signedIn = operator;
vi.mock('next-auth', async (importOriginal) => ({ ...(await importOriginal<object>()), getServerSession: vi.fn(async () => ({ user: signedIn })) }));

// The analysis can be made to say it is not in sync with the cluster (as while its watches relist).
let analysisBehind = false;
vi.mock('../k8s/analysis', async (importOriginal) => {
  const original = await importOriginal<typeof import('../k8s/analysis')>();
  return {
    ...original,
    clusterAnalysis: async () => {
      const analysis = await original.clusterAnalysis();
      if (!analysisBehind) return analysis;
      return Object.assign(Object.create(analysis) as typeof analysis, {
        status: () => ({ ...analysis.status(), synced: false, lastError: 'watch of pods: relisting' }),
      });
    },
  };
});

const api = dashboardSandbox();
const NS = 'gate-test';
const NAME = 'ledger';
const path = `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices/${NAME}`;
type Vs = { metadata: { resourceVersion: string }; spec: { http: { route: { weight?: number }[] }[] } };
type Answer = {
  analysis?: GateAnalysis;
  error?: { status: number; reason: string; message: string };
  audit?: { status: string; id: string };
  override?: unknown;
};

/** PUTs weights v1/v2/v3 of the ledger route (as the signed-in user), optionally with an override. */
async function putWeights([v1, v2, v3]: number[], options: { reason: string; dryRun?: boolean; override?: unknown }) {
  const { PUT } = await import('../../app/api/traffic/[namespace]/[name]/routes/[index]/weights/route');
  const { metadata } = await api<Vs>(path);
  const weights = [
    { host: NAME, subset: 'v1', weight: v1 },
    { host: NAME, subset: 'v2', weight: v2 },
    { host: NAME, subset: 'v3', weight: v3 },
  ];
  const body = { resourceVersion: metadata.resourceVersion, reason: options.reason, weights, ...(options.override ? { override: options.override } : {}) };
  const response = await PUT(
    new Request(`http://localhost/api/traffic/${NS}/${NAME}/routes/0/weights${options.dryRun ? '?dryRun=true' : ''}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ namespace: NS, name: NAME, index: '0' }) },
  );
  return { status: response.status, body: (await response.json()) as Answer };
}
const weightsNow = async () => (await api<Vs>(path)).spec.http[0]!.route.map((r) => r.weight ?? 0);
const trail = async () => (await import('../audit/audit')).listAudit({ namespace: NS });
const verdict = (answer: Answer) => answer.analysis as GateVerdict;
const summary = (findings: GateVerdict['added']) => findings.map((f) => `${f.code} ${f.origin.kind} ${f.origin.namespace}/${f.origin.name} ${f.path}`);
const V3_ERROR = `IST0101 VirtualService ${NS}/${NAME} spec.http[0].route[2].destination.subset`;

beforeAll(async () => {
  process.env.MESHDECK_AUDIT_KEY = 'integration-test-audit-key-0123456789abcdef';
  await api('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
  // v3 is on the route at 0 % but no DestinationRule defines it (IST0101 already; harmless at 0 %).
  const route = (
    [
      ['v1', 100],
      ['v2', 0],
      ['v3', 0],
    ] as const
  ).map(([subset, weight]) => ({ destination: { host: NAME, subset }, weight }));
  const create = (collection: string, apiVersion: string, kind: string, spec: unknown) =>
    api(`${collection}/namespaces/${NS}/${kind.toLowerCase()}s`, { method: 'POST', body: { apiVersion, kind, metadata: { name: NAME, namespace: NS }, spec } });
  await create('/api/v1', 'v1', 'Service', { selector: { app: NAME }, ports: [{ name: 'http', port: 8080 }] });
  const subsets = ['v1', 'v2'].map((name) => ({ name, labels: { version: name } }));
  await create('/apis/networking.istio.io/v1', 'networking.istio.io/v1', 'DestinationRule', { host: NAME, subsets });
  await create('/apis/networking.istio.io/v1', 'networking.istio.io/v1', 'VirtualService', { hosts: [NAME], http: [{ name: 'primary', route }] });
  // The analysis has seen every object once it reports v3 (and only v3) on the VirtualService.
  const { clusterAnalysis } = await import('../k8s/analysis');
  const seen = async () => {
    const analysis = await clusterAnalysis();
    return summary(analysis.findingsFor('networking.istio.io/VirtualService', NS, NAME).filter((f) => f.code === 'IST0101') as GateVerdict['added']);
  };
  for (let wait = 0; JSON.stringify(await seen()) !== JSON.stringify([V3_ERROR]); wait++) {
    if (wait > 150) throw new Error(`the analysis never reported ${V3_ERROR}: ${JSON.stringify(await seen())}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 60_000);

describe('the analysis gate on writes', () => {
  it('lets a change on the defined subsets through, and its preview says it adds no error', async () => {
    const preview = await putWeights([90, 10, 0], { reason: 'canary on v2', dryRun: true });
    expect(preview.status).toBe(200);
    expect(verdict(preview.body)).toMatchObject({ routedTo: [], blocking: false });
    expect(verdict(preview.body).added.filter((f) => f.level === 'Error')).toEqual([]);
    expect((await putWeights([90, 10, 0], { reason: 'canary on v2' })).status).toBe(200);
    expect(await weightsNow()).toEqual([90, 10, 0]);
  });

  it('previews traffic to the undefined subset as blocked, naming the error of the destination it starts sending traffic to', async () => {
    const { status, body } = await putWeights([80, 10, 10], { reason: 'try v3', dryRun: true });
    expect(status).toBe(200);
    expect(verdict(body).blocking).toBe(true);
    expect(summary(verdict(body).routedTo)).toEqual([V3_ERROR]);
    expect(verdict(body).routedTo[0]!.message).toBe('Referenced host+subset in destinationrule not found: "ledger+v3"');
  });

  it('refuses the real write with 422 and the analysis, writes nothing, and records the refused attempt', async () => {
    const before = await weightsNow();
    const { status, body } = await putWeights([80, 10, 10], { reason: 'send 10% to v3' });
    expect(status).toBe(422);
    expect(body.error).toMatchObject({ status: 422, reason: 'AnalysisGate' });
    expect(body.error!.message).toContain('IST0101 (VirtualService gate-test/ledger): Referenced host+subset in destinationrule not found: "ledger+v3"');
    expect(summary(verdict(body).routedTo)).toEqual([V3_ERROR]);
    expect(await weightsNow()).toEqual(before);
    const entry = (await trail()).find((e) => e.reason === 'send 10% to v3');
    expect(entry).toMatchObject({ result: 'failed', trust: 'signed', user: 'operator@meshdeck.local' });
    expect(entry!.message).toContain('IST0101');
    expect(entry!.summary).toBe('not applied: primary: v1 90% / v2 10% / v3 0% → v1 80% / v2 10% / v3 10%');
    expect(body.audit).toMatchObject({ status: 'recorded', id: entry!.id });
  });

  it('refuses an operator override with 403, and records that attempt too', async () => {
    const before = await weightsNow();
    const { status, body } = await putWeights([80, 10, 10], { reason: 'operator tries to override', override: { reason: 'v3 pods come up next' } });
    expect(status).toBe(403);
    expect(body.error!.message).toContain('needs the admin role (yours: operator)');
    expect(await weightsNow()).toEqual(before);
    expect((await trail()).find((e) => e.reason === 'operator tries to override')).toMatchObject({ result: 'failed' });
  });

  it('checks the override: a missing or short reason is a 400 before anything is written', async () => {
    signedIn = admin;
    try {
      const short = await putWeights([80, 10, 10], { reason: 'bad override', override: { reason: 'x' } });
      expect(short.status).toBe(400);
      expect(short.body.error!.message).toContain('override.reason');
      expect((await putWeights([80, 10, 10], { reason: 'bad override', override: 'because' })).status).toBe(400);
      expect((await trail()).find((e) => e.reason === 'bad override')).toBeUndefined();
    } finally {
      signedIn = operator;
    }
  });

  it("applies an admin's override and records its reason and the findings it let in", async () => {
    signedIn = admin;
    try {
      const { status, body } = await putWeights([80, 10, 10], { reason: 'v3 for the incident', override: { reason: 'v3 subset lands with the next deploy' } });
      expect(status).toBe(200);
      expect(await weightsNow()).toEqual([80, 10, 10]);
      const entry = (await trail()).find((e) => e.reason === 'v3 for the incident');
      expect(entry).toMatchObject({ result: 'applied', trust: 'signed', role: 'admin' });
      expect(entry!.override).toEqual({
        reason: 'v3 subset lands with the next deploy',
        findings: [
          {
            code: 'IST0101',
            message: 'Referenced host+subset in destinationrule not found: "ledger+v3"',
            origin: `VirtualService ${NS}/${NAME}`,
            path: 'spec.http[0].route[2].destination.subset',
          },
        ],
      });
      expect(body.override).toEqual(entry!.override);
    } finally {
      signedIn = operator;
    }
  });

  it('does not hold a change back while the analysis is behind the cluster, and says the findings were not checked', async () => {
    expect((await putWeights([100, 0, 0], { reason: 'v3 back to 0' })).status).toBe(200);
    analysisBehind = true;
    try {
      const preview = await putWeights([90, 0, 10], { reason: 'v3 while the analysis relists', dryRun: true });
      expect(preview.body.analysis).toEqual({ unavailable: 'the cluster analysis is not in sync with the cluster (watch of pods: relisting)' });
      expect((await putWeights([90, 0, 10], { reason: 'v3 while the analysis relists' })).status).toBe(200);
      expect(await weightsNow()).toEqual([90, 0, 10]);
      expect((await trail()).find((e) => e.reason === 'v3 while the analysis relists')).toMatchObject({ result: 'applied' });
      expect((await trail()).find((e) => e.reason === 'v3 while the analysis relists')!.override).toBeUndefined();
    } finally {
      analysisBehind = false;
    }
  });
});
