// The sandbox's API machinery over plain HTTPS: served versions on every verb, metadata-only
// lists and watches, events.k8s.io, finalizers, past reads, and the start options.
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from './api/store.ts';
import { startTestSandbox, type TestSandbox } from './testing.ts';

let sandbox: TestSandbox;
let agent: Agent;

beforeAll(async () => {
  sandbox = await startTestSandbox({ manifests: null, writeEvents: false });
  agent = new Agent({ connect: { ca: sandbox.certificate } });
});
afterAll(async () => {
  await agent?.close();
  await sandbox?.stop();
});

type Json = Record<string, unknown> & { metadata?: Record<string, unknown>; items?: KubeObject[] };

async function request(method: string, path: string, options: { body?: unknown; contentType?: string; accept?: string; token?: string | null } = {}) {
  const token = options.token === undefined ? 'sandbox-admin-token' : options.token;
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.accept ? { accept: options.accept } : {}),
      ...(options.body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
    },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    dispatcher: agent,
  });
  return { status: response.status, body: (await response.json()) as Json };
}

/** Opens a watch and collects its events until `stop()`. */
async function watch(path: string, accept?: string) {
  const controller = new AbortController();
  const response = await fetch(`${sandbox.url}${path}`, {
    headers: { authorization: 'Bearer sandbox-admin-token', ...(accept ? { accept } : {}) },
    dispatcher: agent,
    signal: controller.signal,
  });
  const events: { type: string; object: Json }[] = [];
  const reading = (async () => {
    let buffered = '';
    try {
      for await (const chunk of response.body!) {
        buffered += Buffer.from(chunk as Uint8Array).toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
      }
    } catch {
      // aborted
    }
  })();
  return { events, stop: async () => (controller.abort(), reading) };
}

const vs = (version: string, namespace = 'default', name = '') =>
  `/apis/networking.istio.io/${version}/namespaces/${namespace}/virtualservices${name ? `/${name}` : ''}`;
const route = (weights: number[]) => ({
  hosts: ['reviews'],
  http: [{ route: weights.map((weight, i) => ({ destination: { host: 'reviews', subset: `v${i + 1}` }, weight })) }],
});

describe('objects created through one served version work through every other', () => {
  it('creates through v1beta1, updates through v1alpha3, patches and applies through v1, watches and deletes through v1beta1', async () => {
    const created = await request('POST', vs('v1beta1'), {
      body: { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'reviews' }, spec: route([90, 10]) },
    });
    expect(created.status).toBe(201);
    expect(created.body.apiVersion).toBe('networking.istio.io/v1beta1');
    const watcher = await watch(`${vs('v1beta1')}?watch=true&resourceVersion=${String(created.body.metadata!.resourceVersion)}`);

    const read = await request('GET', vs('v1alpha3', 'default', 'reviews'));
    expect(read.body.apiVersion).toBe('networking.istio.io/v1alpha3');
    const updated = await request('PUT', vs('v1alpha3', 'default', 'reviews'), { body: { ...read.body, spec: route([80, 20]) } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ apiVersion: 'networking.istio.io/v1alpha3', metadata: { generation: 2 } });

    const patched = await request('PATCH', vs('v1', 'default', 'reviews'), {
      body: [
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 70 },
        { op: 'replace', path: '/spec/http/0/route/1/weight', value: 30 },
      ],
      contentType: 'application/json-patch+json',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ apiVersion: 'networking.istio.io/v1', metadata: { generation: 3 } });
    const merged = await request('PATCH', vs('v1beta1', 'default', 'reviews'), {
      body: { metadata: { labels: { tier: 'backend' } } },
      contentType: 'application/merge-patch+json',
    });
    // Only the version differs from the stored object: metadata changed, the spec did not.
    expect(merged.body).toMatchObject({ apiVersion: 'networking.istio.io/v1beta1', metadata: { generation: 3, labels: { tier: 'backend' } } });
    const applied = await request('PATCH', `${vs('v1', 'default', 'reviews')}?fieldManager=team-a&force=true`, {
      body: `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews, subset: v1}, weight: 50}, {destination: {host: reviews, subset: v2}, weight: 50}]}]\n`,
      contentType: 'application/apply-patch+yaml',
    });
    expect(applied.status).toBe(200);
    expect(applied.body.metadata!.managedFields).toEqual(
      expect.arrayContaining([expect.objectContaining({ manager: 'team-a', operation: 'Apply', apiVersion: 'networking.istio.io/v1' })]),
    );

    const list = await request('GET', vs('v1alpha3'));
    expect(list.body).toMatchObject({ apiVersion: 'networking.istio.io/v1alpha3', kind: 'VirtualServiceList' });
    expect(list.body.items!.map((i) => i.apiVersion)).toEqual(['networking.istio.io/v1alpha3']);

    expect((await request('DELETE', vs('v1beta1', 'default', 'reviews'))).body).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'reviews', kind: 'virtualservices' },
    });
    await expect.poll(() => watcher.events.map((e) => e.type)).toEqual(['MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']);
    await watcher.stop();
    expect(new Set(watcher.events.map((e) => e.object.apiVersion))).toEqual(new Set(['networking.istio.io/v1beta1']));
  });
});

describe('metadata-only lists, gets and watches (client-go metadata informers)', () => {
  const pods = '/api/v1/namespaces/default/pods';
  const listAccept = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
  const objectAccept = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

  beforeAll(async () => {
    for (const name of ['web-1', 'web-2']) {
      await request('POST', pods, {
        body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      });
    }
  });

  it('lists PartialObjectMetadata items with only their metadata', async () => {
    const { status, body } = await request('GET', `${pods}?labelSelector=app%3Dweb`, { accept: listAccept });
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: expect.any(String) } });
    expect(body.items!.map((i) => i.metadata.name)).toEqual(['web-1', 'web-2']);
    for (const item of body.items!) {
      expect(Object.keys(item).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
      expect(item).toMatchObject({
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { namespace: 'default', labels: { app: 'web' }, uid: expect.any(String) },
      });
    }
    // Paging works the same.
    const page = await request('GET', `${pods}?limit=1`, { accept: listAccept });
    expect(page.body.items).toHaveLength(1);
    expect(page.body.metadata!.continue).toEqual(expect.any(String));
  });

  it('gets one object as PartialObjectMetadata', async () => {
    const { body } = await request('GET', `${pods}/web-1`, { accept: objectAccept });
    expect(body).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: expect.objectContaining({ name: 'web-1', namespace: 'default' }),
    });
  });

  it('watches with PartialObjectMetadata objects in every event', async () => {
    const start = (await request('GET', pods, { accept: listAccept })).body.metadata!.resourceVersion;
    const watcher = await watch(`${pods}?watch=true&resourceVersion=${String(start)}`, objectAccept);
    await request('PATCH', `${pods}/web-1`, { body: { metadata: { labels: { seen: 'yes' } } }, contentType: 'application/merge-patch+json' });
    await request('DELETE', `${pods}/web-2`);
    await expect.poll(() => watcher.events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    await watcher.stop();
    for (const { object } of watcher.events) expect(Object.keys(object).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(watcher.events[0]!.object).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'web-1', labels: { seen: 'yes' } },
    });
  });

  it('falls back along the Accept list, and answers 406 when nothing in it can be served', async () => {
    // The protobuf range is skipped; a list type on a get is not acceptable there.
    expect(
      (await request('GET', pods, { accept: `application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,${listAccept}` })).body.kind,
    ).toBe('PartialObjectMetadataList');
    expect((await request('GET', `${pods}/web-1`, { accept: listAccept })).body.kind).toBe('Pod');
    expect((await request('GET', pods, { accept: 'application/json' })).body.kind).toBe('PodList');
    const refused = await request('GET', pods, { accept: 'application/vnd.kubernetes.protobuf' });
    expect(refused.status).toBe(406);
    expect(refused.body.reason).toBe('NotAcceptable');
  });
});

describe('more of what a real API server does', () => {
  it('serves core/v1 Events as events.k8s.io/v1 with the renamed fields, both ways', async () => {
    await request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      body: {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: 'e1' },
        regarding: { kind: 'Pod', name: 'web-1', namespace: 'default' },
        note: 'hello',
        reason: 'Tested',
        type: 'Normal',
        reportingController: 'meshdeck',
        reportingInstance: 'x',
        action: 'Test',
        eventTime: '2026-01-01T00:00:00.000000Z',
      },
    });
    const core = await request('GET', '/api/v1/namespaces/default/events/e1');
    expect(core.body).toMatchObject({ apiVersion: 'v1', kind: 'Event', involvedObject: { name: 'web-1' }, message: 'hello', reportingComponent: 'meshdeck' });
    const list = await request('GET', '/apis/events.k8s.io/v1/namespaces/default/events');
    expect(list.body).toMatchObject({ kind: 'EventList', apiVersion: 'events.k8s.io/v1' });
    // Typed lists carry no kind or apiVersion on their items.
    expect(list.body.items).toEqual([expect.not.objectContaining({ kind: expect.anything() })]);
    expect(list.body.items![0]).toMatchObject({ regarding: { name: 'web-1' }, note: 'hello', reportingController: 'meshdeck' });
  });

  it('keeps an object with finalizers until the last one is removed', async () => {
    await request('POST', '/api/v1/namespaces/default/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['meshdeck.io/hold'] }, data: { a: 'b' } },
    });
    const deleted = await request('DELETE', '/api/v1/namespaces/default/configmaps/held');
    expect(deleted.body).toMatchObject({
      kind: 'ConfigMap',
      metadata: { deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 0, finalizers: ['meshdeck.io/hold'] },
    });
    expect((await request('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(200);
    await request('PATCH', '/api/v1/namespaces/default/configmaps/held', {
      body: { metadata: { finalizers: null } },
      contentType: 'application/merge-patch+json',
    });
    expect((await request('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(404);
  });

  it('reads a past version with resourceVersionMatch=Exact, and 410 once it is compacted away', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    await request('POST', path, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'history' }, data: { v: '1' } } });
    const then = String((await request('GET', path)).body.metadata!.resourceVersion);
    await request('PATCH', `${path}/history`, { body: { data: { v: '2' } }, contentType: 'application/merge-patch+json' });
    await request('POST', path, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later' } } });
    const past = await request('GET', `${path}?resourceVersion=${then}&resourceVersionMatch=Exact`);
    expect(past.body.metadata!.resourceVersion).toBe(then);
    expect(past.body.items!.find((i) => i.metadata.name === 'history')).toMatchObject({ data: { v: '1' } });
    expect(past.body.items!.map((i) => i.metadata.name)).not.toContain('later');
    sandbox.store.compact();
    expect((await request('GET', `${path}?resourceVersion=${then}&resourceVersionMatch=Exact`)).status).toBe(410);
  });

  it('tells a selector watch when an object starts or stops matching', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    const start = String((await request('GET', path)).body.metadata!.resourceVersion);
    const watcher = await watch(`${path}?watch=true&labelSelector=tier%3Dgold&resourceVersion=${start}`);
    await request('PATCH', `${path}/later`, { body: { metadata: { labels: { tier: 'gold' } } }, contentType: 'application/merge-patch+json' });
    await request('PATCH', `${path}/later`, { body: { metadata: { labels: { tier: 'silver' } } }, contentType: 'application/merge-patch+json' });
    await expect.poll(() => watcher.events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    await watcher.stop();
  });

  it('lets anonymous requests read /version but not discovery, and refuses an unknown token', async () => {
    expect((await request('GET', '/version', { token: null })).status).toBe(200);
    expect((await request('GET', '/apis', { token: null })).body).toMatchObject({
      code: 403,
      message: 'forbidden: User "system:anonymous" cannot get path "/apis"',
    });
    expect((await request('GET', '/apis', { token: 'nope' })).status).toBe(401);
  });
});

describe('start options', () => {
  it('starts without the meshdeck namespace (and the dashboard account in it), keeping the demo RBAC', async () => {
    const bare = await startTestSandbox({ manifests: null, meshdeckNamespace: false });
    try {
      expect((await bare.kubectl(['get', 'namespace', 'meshdeck'])).stderr).toContain('namespaces "meshdeck" not found');
      expect((await bare.kubectl(['get', 'clusterrolebinding', 'meshdeck-dashboard'])).status).toBe(0);
      expect((await bare.kubectl(['auth', 'can-i', 'get', 'virtualservices', '-n', 'default'], { context: 'sandbox-viewer' })).stdout.trim()).toBe('yes');
      // Nothing is created inside a namespace that does not exist.
      expect((await bare.kubectl(['create', 'configmap', 'x', '-n', 'meshdeck'])).stderr).toContain('namespaces "meshdeck" not found');
    } finally {
      await bare.stop();
    }
  });
});
