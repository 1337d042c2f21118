// cacheFor against a scripted API on loopback: pages, label selectors, PartialObjectMetadata,
// per-namespace reading under MESHDECK_NAMESPACES, and relisting on the two forms of 410.
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { cacheFor, readRecordingCaches } from './caches';
import { fakeApiPerTest, sendEvents, sendJson, type FakeRequest } from './fake-api';
import { listNamespaces } from './namespaces';
import type { KubeObject, ObjectCache } from './resource-cache';
import { configMaps, pods, virtualServices } from './resources';

type Obj = { apiVersion?: string; kind?: string; metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> }; spec?: unknown };

const pod = (namespace: string, name: string, labels: Record<string, string> = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, resourceVersion: '5', labels },
  spec: { containers: [{ name: 'app', image: 'x'.repeat(1000) }] },
});

/**
 * A small API: lists of `objects` (label selector `k=v`, pages of `limit` with an offset as the
 * continue token), and watches that stay open so the test can push events into them.
 */
function scriptedApi(objects: Obj[], options: { rv?: string; expireContinueOnce?: boolean } = {}) {
  const watches: { request: FakeRequest; response: ServerResponse }[] = [];
  let expire = options.expireContinueOnce ?? false;
  const handler = (request: FakeRequest, response: ServerResponse) => {
    const params = request.url.searchParams;
    const namespace = /\/namespaces\/([^/]+)\//.exec(request.url.pathname)?.[1];
    if (params.get('watch') === 'true') {
      watches.push({ request, response });
      return sendEvents(response, [], true);
    }
    if (params.has('continue') && expire) {
      expire = false;
      return sendJson(response, 410, { kind: 'Status', apiVersion: 'v1', metadata: { continue: 'fresh' }, status: 'Failure', message: 'The provided continue parameter is too old', reason: 'Expired', code: 410 });
    }
    const [key, value] = (params.get('labelSelector') ?? '').split('=');
    const matching = objects.filter((o) => (!namespace || o.metadata.namespace === namespace) && (!key || o.metadata.labels?.[key] === value));
    const offset = Number(params.get('continue') ?? 0);
    const limit = Number(params.get('limit') ?? matching.length);
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? String(offset + limit) : '';
    sendJson(response, 200, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: options.rv ?? '100', ...(next ? { continue: next } : {}) }, items: page });
  };
  return { handler, watches };
}

const startFakeApi = fakeApiPerTest();

describe('cacheFor against an API server', () => {
  it('lists in pages and watches only what the label selector picks, each scope its own cache', async () => {
    const maps = Array.from({ length: 1203 }, (_, i): Obj => ({ metadata: { name: `cm-${String(i).padStart(4, '0')}`, namespace: 'ns', labels: i % 2 ? { 'app.kubernetes.io/managed-by': 'meshdeck' } : {} } }));
    const script = scriptedApi(maps);
    const api = await startFakeApi(script.handler);
    const labelled = await cacheFor<Obj>(configMaps, { labelSelector: 'app.kubernetes.io/managed-by=meshdeck' });
    expect(labelled.list()).toHaveLength(601);
    const lists = api.requests.filter((r) => !r.url.searchParams.has('watch'));
    expect(lists.map((r) => [r.url.searchParams.get('limit'), r.url.searchParams.get('continue')])).toEqual([['500', null], ['500', '500']]);
    expect(lists.every((r) => r.url.searchParams.get('labelSelector') === 'app.kubernetes.io/managed-by=meshdeck')).toBe(true);
    await expect.poll(() => script.watches.length).toBe(1);
    const watch = script.watches[0]!.request.url.searchParams;
    expect([watch.get('labelSelector'), watch.get('resourceVersion'), watch.get('allowWatchBookmarks')]).toEqual(['app.kubernetes.io/managed-by=meshdeck', '100', 'true']);
    expect(await cacheFor<Obj>(configMaps, { labelSelector: 'app.kubernetes.io/managed-by=meshdeck' })).toBe(labelled);
    expect((await cacheFor<Obj>(configMaps)).list()).toHaveLength(1203);
  });

  it('asks for PartialObjectMetadata when metadataOnly, and keeps only metadata if the server sends whole objects', async () => {
    const script = scriptedApi([pod('shop', 'reviews-1', { app: 'reviews' })]);
    const api = await startFakeApi(script.handler);
    const cache = await cacheFor<Obj>(pods, { metadataOnly: true });
    expect(api.requests[0]!.headers.accept).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json');
    expect(cache.get('shop', 'reviews-1')).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reviews-1', namespace: 'shop', resourceVersion: '5', labels: { app: 'reviews' } } });
    await expect.poll(() => script.watches.length).toBe(1);
    expect(script.watches[0]!.request.headers.accept).toBe('application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json');
    sendEvents(script.watches[0]!.response, [{ type: 'ADDED', object: pod('shop', 'reviews-2', { app: 'reviews' }) }], true);
    await expect.poll(() => cache.get('shop', 'reviews-2')?.metadata.labels).toEqual({ app: 'reviews' });
    expect(cache.get('shop', 'reviews-2')?.spec).toBeUndefined();
    expect((await cacheFor<Obj>(pods)).get('shop', 'reviews-1')?.spec).toBeDefined();
  });

  it('records the caches a read used, so a live view can follow exactly those changes', async () => {
    const script = scriptedApi([pod('shop', 'a')]);
    await startFakeApi(script.handler);
    const used = new Set<ObjectCache<KubeObject>>();
    const names = await readRecordingCaches(used, async () => {
      const [podCache] = await Promise.all([cacheFor<Obj>(pods), cacheFor<Obj>(configMaps)]);
      return podCache.list().map((p) => p.metadata.name);
    });
    expect(names).toEqual(['a']);
    expect([...used]).toEqual([await cacheFor<Obj>(pods), await cacheFor<Obj>(configMaps)]);
    const outside = await cacheFor<Obj>(virtualServices);
    expect(used.has(outside as ObjectCache<KubeObject>)).toBe(false);
    let changes = 0;
    const unsubscribe = (await cacheFor<Obj>(pods)).subscribe(() => changes++);
    await expect.poll(() => script.watches.length).toBeGreaterThan(0);
    const podWatch = script.watches.find((w) => w.request.url.pathname.endsWith('/pods'))!;
    sendEvents(podWatch.response, [{ type: 'MODIFIED', object: pod('shop', 'a', { app: 'changed' }) }], true);
    await expect.poll(() => changes).toBe(1);
    unsubscribe();
  });

  it('moves on bookmarks and relists when a watch ERROR event says 410 inside HTTP 200', async () => {
    const script = scriptedApi([pod('shop', 'a')]);
    const api = await startFakeApi(script.handler);
    const cache = await cacheFor<Obj>(pods);
    await expect.poll(() => script.watches.length).toBe(1);
    sendEvents(script.watches[0]!.response, [{ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '150' } } }], true);
    await expect.poll(() => cache.state().resourceVersion).toBe('150');
    expect(cache.list()).toHaveLength(1);
    sendEvents(script.watches[0]!.response, [{ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 150 (160)', reason: 'Expired', code: 410 } }], true);
    await expect.poll(() => script.watches.length).toBe(2);
    const lists = api.requests.filter((r) => !r.url.searchParams.has('watch'));
    expect(lists).toHaveLength(2);
    expect(script.watches[1]!.request.url.searchParams.get('resourceVersion')).toBe('100');
  });

  it('starts a paginated list over when its continue token expired (HTTP 410)', async () => {
    const script = scriptedApi(Array.from({ length: 700 }, (_, i) => pod('shop', `p-${String(i).padStart(3, '0')}`)), { expireContinueOnce: true });
    const api = await startFakeApi(script.handler);
    const cache = await cacheFor<Obj>(pods);
    expect(cache.list()).toHaveLength(700);
    const lists = api.requests.filter((r) => !r.url.searchParams.has('watch')).map((r) => r.url.searchParams.get('continue'));
    expect(lists).toEqual([null, '500', null, '500']);
  });
});

describe('MESHDECK_NAMESPACES', () => {
  it('reads namespaced kinds one allowed namespace at a time, never cluster-wide', async () => {
    const vs = (namespace: string, name: string): Obj => ({ metadata: { name, namespace, resourceVersion: '7' } });
    const script = scriptedApi([vs('team-a', 'x'), vs('team-b', 'y'), vs('secret', 'z')]);
    const api = await startFakeApi(script.handler, { MESHDECK_NAMESPACES: 'team-b, team-a' });
    const cache = await cacheFor<Obj>(virtualServices);
    expect(cache.list().map((o) => o.metadata.name)).toEqual(['x', 'y']);
    expect(cache.list('secret')).toEqual([]);
    const paths = api.requests.map((r) => r.url.pathname);
    expect(paths.every((p) => /\/namespaces\/team-[ab]\/virtualservices$/.test(p))).toBe(true);
    await expect.poll(() => script.watches.map((w) => w.request.url.pathname).sort()).toEqual(['/apis/networking.istio.io/v1/namespaces/team-a/virtualservices', '/apis/networking.istio.io/v1/namespaces/team-b/virtualservices']);
  });

  it('lists only the allowed namespaces, each read by name', async () => {
    const api = await startFakeApi(
      (request, response) => {
        const name = request.url.pathname.split('/').at(-1);
        if (name === 'team-a') return sendJson(response, 200, { kind: 'Namespace', metadata: { name, labels: { 'istio-injection': 'enabled' } }, status: { phase: 'Active' } });
        if (name === 'team-b') return sendJson(response, 403, { kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'namespaces "team-b" is forbidden' });
        sendJson(response, 404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, details: { name, kind: 'namespaces' } });
      },
      { MESHDECK_NAMESPACES: 'team-a,team-b,team-c' },
    );
    expect(await listNamespaces()).toEqual([
      { name: 'team-a', phase: 'Active', sidecarInjection: true, createdAt: undefined },
      { name: 'team-b', phase: 'Unknown', sidecarInjection: false, createdAt: undefined },
    ]);
    expect(api.requests.map((r) => r.url.pathname)).toEqual(['/api/v1/namespaces/team-a', '/api/v1/namespaces/team-b', '/api/v1/namespaces/team-c']);
  });

  it('refuses a list that is not namespace names, saying which', async () => {
    const api = await startFakeApi(() => undefined, { MESHDECK_NAMESPACES: 'team-a,Team_B' });
    await expect(cacheFor(virtualServices)).rejects.toMatchObject({ status: 503, message: expect.stringContaining('MESHDECK_NAMESPACES lists "Team_B", which is not a namespace name') });
    expect(api.requests).toHaveLength(0);
  });
});
