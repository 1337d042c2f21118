// The sandbox as @kubernetes/client-node (and Meshdeck's own lib/k8s) sees it.
import { AuthorizationV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from './testing.ts';

let sandbox: TestSandbox;
const vs = { group: 'networking.istio.io', version: 'v1', namespace: 'ai-nutritionist', plural: 'virtualservices' };

function client(context: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfig);
  kc.setCurrentContext(context);
  return kc;
}

type Vs = { metadata: { resourceVersion: string }; spec: { http: { route: { weight?: number }[] }[] } };
const read = (name: string) =>
  client('sandbox-admin')
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({ ...vs, name }) as Promise<Vs>;
const statusOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { code?: number }).code;
  }
};

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => sandbox?.stop());

describe('@kubernetes/client-node against the sandbox', () => {
  it('lists the loaded VirtualServices with list metadata, paging with limit and continue', async () => {
    const api = client('sandbox-viewer').makeApiClient(CustomObjectsApi);
    const all = (await api.listNamespacedCustomObject(vs)) as { items: { metadata: { name: string } }[]; metadata: { resourceVersion: string } };
    expect(all.items.map((i) => i.metadata.name)).toContain('nutrition-service-canary');
    expect(Number(all.metadata.resourceVersion)).toBeGreaterThan(0);
    const page = (await api.listNamespacedCustomObject({ ...vs, limit: 4 })) as {
      items: unknown[];
      metadata: { continue?: string; remainingItemCount?: number };
    };
    expect(page.items).toHaveLength(4);
    expect(page.metadata.remainingItemCount).toBe(all.items.length - 4);
    const rest = (await api.listNamespacedCustomObject({ ...vs, _continue: page.metadata.continue })) as { items: unknown[] };
    expect(rest.items).toHaveLength(all.items.length - 4);
  });

  it('JSON-patches with a test op as precondition, and a failed test changes nothing (422)', async () => {
    const api = client('sandbox-operator').makeApiClient(CustomObjectsApi);
    const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
    const patched = (await api.patchNamespacedCustomObject(
      {
        ...vs,
        name: 'nutrition-service-canary',
        body: [
          { op: 'test', path: '/spec/http/3/route/1/weight', value: 5 },
          { op: 'replace', path: '/spec/http/3/route/0/weight', value: 75 },
          { op: 'replace', path: '/spec/http/3/route/1/weight', value: 25 },
        ],
      },
      jsonPatch,
    )) as Vs;
    expect(patched.spec.http[3]!.route.map((r) => r.weight)).toEqual([75, 25]);
    const before = (await read('nutrition-service-canary')).metadata.resourceVersion;
    const failed = api.patchNamespacedCustomObject(
      {
        ...vs,
        name: 'nutrition-service-canary',
        body: [
          { op: 'test', path: '/spec/http/3/route/1/weight', value: 5 },
          { op: 'replace', path: '/spec/http/3/route/1/weight', value: 0 },
        ],
      },
      jsonPatch,
    );
    expect(await statusOf(failed)).toBe(422);
    expect((await read('nutrition-service-canary')).metadata.resourceVersion).toBe(before);
  });

  it('refuses a stale resourceVersion (409), a weight of "abc" (422) and a viewer (403) without changing anything', async () => {
    const operator = client('sandbox-operator').makeApiClient(CustomObjectsApi);
    const live = await read('payment-service-blue-green');
    const stale = structuredClone(live);
    stale.metadata.resourceVersion = String(Number(live.metadata.resourceVersion) - 1);
    expect(await statusOf(operator.replaceNamespacedCustomObject({ ...vs, name: 'payment-service-blue-green', body: stale }))).toBe(409);

    const badWeight = operator.patchNamespacedCustomObject(
      { ...vs, name: 'payment-service-blue-green', body: [{ op: 'replace', path: '/spec/http/1/route/0/weight', value: 'abc' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const error = await badWeight.catch((e: { code: number; body: string }) => e);
    expect((error as { code: number }).code).toBe(422);
    const status = JSON.parse((error as { body: string }).body) as { details: { causes: { field: string }[] } };
    expect(status.details.causes[0]!.field).toBe('spec.http[1].route[0].weight');

    const viewer = client('sandbox-viewer').makeApiClient(CustomObjectsApi);
    expect(
      await statusOf(
        viewer.patchNamespacedCustomObject(
          { ...vs, name: 'payment-service-blue-green', body: { spec: { http: [] } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      ),
    ).toBe(403);
    expect((await read('payment-service-blue-green')).metadata.resourceVersion).toBe(live.metadata.resourceVersion);
  });

  it("watches from a resourceVersion and sees another client's change within a second", async () => {
    const kc = client('meshdeck-dashboard');
    const start = (await read('messaging-service-feature-flags')).metadata.resourceVersion;
    const received: { type: string; name: string; at: number }[] = [];
    const controller = await new Watch(kc).watch(
      `/apis/networking.istio.io/v1/namespaces/ai-nutritionist/virtualservices`,
      { resourceVersion: start, allowWatchBookmarks: true },
      (type, object) => received.push({ type, name: object.metadata?.name, at: Date.now() }),
      () => undefined,
    );
    const changedAt = Date.now();
    await client('sandbox-operator')
      .makeApiClient(CustomObjectsApi)
      .patchNamespacedCustomObject(
        { ...vs, name: 'messaging-service-feature-flags', body: { metadata: { annotations: { note: 'x' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await expect.poll(() => received.find((e) => e.type === 'MODIFIED' && e.name === 'messaging-service-feature-flags'), { timeout: 2000 }).toBeDefined();
    controller.abort();
    expect(received.find((e) => e.type === 'MODIFIED')!.at - changedAt).toBeLessThan(1000);
  });

  it('answers 410 Gone in the watch stream for a resourceVersion it no longer has', async () => {
    const small = await startTestSandbox({ logCapacity: 5 });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(small.kubeconfig);
      const events: { type: string; code?: number }[] = [];
      await new Watch(kc).watch(
        '/apis/networking.istio.io/v1/virtualservices',
        { resourceVersion: '2' },
        (type, object) => events.push({ type, code: object.code }),
        () => undefined,
      );
      await expect.poll(() => events[0], { timeout: 2000 }).toEqual({ type: 'ERROR', code: 410 });
    } finally {
      await small.stop();
    }
  });

  it('impersonates for identities allowed to, and refuses others', async () => {
    const asDashboard = client('meshdeck-dashboard');
    const impersonating = setHeaderOptions('Impersonate-User', 'viewer@meshdeck.local', setHeaderOptions('Impersonate-Group', 'meshdeck:viewers'));
    const api = asDashboard.makeApiClient(CustomObjectsApi);
    expect(
      await statusOf(
        api.patchNamespacedCustomObject(
          { ...vs, name: 'payment-service-blue-green', body: { metadata: { labels: { a: 'b' } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch, impersonating),
        ),
      ),
    ).toBe(403);
    const operator = client('sandbox-operator').makeApiClient(CustomObjectsApi);
    expect(await statusOf(operator.listNamespacedCustomObject(vs, setHeaderOptions('Impersonate-User', 'admin@meshdeck.local')))).toBe(403);
  });

  it('answers SelfSubjectAccessReviews per RBAC', async () => {
    const review = (context: string) =>
      client(context)
        .makeApiClient(AuthorizationV1Api)
        .createSelfSubjectAccessReview({
          body: { spec: { resourceAttributes: { verb: 'patch', group: 'security.istio.io', resource: 'peerauthentications', namespace: 'ai-nutritionist' } } },
        });
    expect((await review('sandbox-admin')).status?.allowed).toBe(true);
    expect((await review('sandbox-operator')).status?.allowed).toBe(false);
  });

  it("Meshdeck's watch-backed cache (lib/k8s) mirrors the sandbox and follows changes", async () => {
    process.env.KUBECONFIG = sandbox.kubeconfig;
    process.env.MESHDECK_KUBE_CONTEXT = 'meshdeck-dashboard';
    const { cacheFor } = await import('../lib/k8s/caches');
    const { virtualServices } = await import('../lib/k8s/resources');
    const cache = await cacheFor<{ metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; managedFields?: unknown } }>(
      virtualServices,
    );
    expect(cache.list('ai-nutritionist').map((v) => v.metadata?.name)).toContain('nutrition-service-canary');
    expect(cache.list()[0]?.metadata?.managedFields).toBeUndefined();
    await client('sandbox-operator')
      .makeApiClient(CustomObjectsApi)
      .patchNamespacedCustomObject(
        { ...vs, name: 'ai-coach-service-ab-test', body: { metadata: { labels: { seen: 'by-cache' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await expect.poll(() => cache.get('ai-nutritionist', 'ai-coach-service-ab-test')?.metadata?.labels?.seen, { timeout: 2000 }).toBe('by-cache');
    cache.stop();
  });
});
