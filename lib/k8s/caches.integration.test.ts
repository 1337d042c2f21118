// lib/k8s against the sandbox's Kubernetes API: metadata-only and label-selected caches
// following changes, per-namespace reading, and a JSON patch's conflict-vs-invalid decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import { cacheFor } from './caches';
import { ApiError } from './errors';
import { pointAtKubeconfig } from './fake-api';
import { kubeRequest } from './http';
import { collectionPath, configMaps, objectPath, pods, virtualServices } from './resources';
import { jsonPatch, objectAtVersion } from './writes';

type Meta = { kind?: string; metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };

let sandbox: TestSandbox;
let restore: () => void;
const NS = 'scoped';

const create = (path: string, body: unknown) => kubeRequest({ method: 'POST', path, body });
const mergePatch = (path: string, body: unknown) => kubeRequest({ method: 'PATCH', path, body, contentType: 'application/merge-patch+json' });
const pod = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } });

beforeAll(async () => {
  sandbox = await startTestSandbox({ manifests: null });
  restore = pointAtKubeconfig(sandbox.kubeconfig); // its current context: sandbox-admin
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await create(collectionPath(pods, NS), pod('reviews-1', { app: 'reviews', version: 'v1' }));
  await create(collectionPath(virtualServices, NS), {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: NS, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"a":"very long copy"}' } },
    spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 80 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 20 }] }] },
  });
}, 60_000);
afterAll(async () => {
  restore?.();
  await sandbox?.stop();
});

describe('scoped caches on the sandbox', () => {
  it('keeps Pods as PartialObjectMetadata and follows them', async () => {
    const cache = await cacheFor<Meta>(pods, { metadataOnly: true });
    const first = cache.get(NS, 'reviews-1');
    expect(first?.metadata.labels).toEqual({ app: 'reviews', version: 'v1' });
    expect(first?.spec).toBeUndefined();
    expect(first?.kind).toBe('PartialObjectMetadata');
    await create(collectionPath(pods, NS), pod('reviews-2', { app: 'reviews', version: 'v2' }));
    await expect.poll(() => cache.get(NS, 'reviews-2')?.metadata.labels?.version).toBe('v2');
    await kubeRequest({ method: 'DELETE', path: objectPath(pods, NS, 'reviews-1') });
    await expect.poll(() => cache.get(NS, 'reviews-1')).toBeUndefined();
  });

  it('holds only labelled ConfigMaps, and follows an object into and out of the selector', async () => {
    const cache = await cacheFor<Meta>(configMaps, { labelSelector: 'meshdeck.io/test=yes' });
    await create(collectionPath(configMaps, NS), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'labelled', namespace: NS, labels: { 'meshdeck.io/test': 'yes' } } });
    await create(collectionPath(configMaps, NS), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: NS } });
    await expect.poll(() => cache.list(NS).map((c) => c.metadata.name)).toEqual(['labelled']);
    await mergePatch(objectPath(configMaps, NS, 'plain'), { metadata: { labels: { 'meshdeck.io/test': 'yes' } } });
    await expect.poll(() => cache.list(NS).map((c) => c.metadata.name)).toEqual(['labelled', 'plain']);
    await mergePatch(objectPath(configMaps, NS, 'labelled'), { metadata: { labels: { 'meshdeck.io/test': null } } });
    await expect.poll(() => cache.list(NS).map((c) => c.metadata.name)).toEqual(['plain']);
  });

  it('drops last-applied-configuration from cached objects', async () => {
    const cache = await cacheFor<Meta>(virtualServices);
    expect(cache.get(NS, 'reviews')?.metadata.annotations).toBeUndefined();
  });
});

describe('MESHDECK_NAMESPACES on the sandbox', () => {
  it('reads the allowed namespace only', async () => {
    const undo = pointAtKubeconfig(sandbox.kubeconfig, { MESHDECK_NAMESPACES: `${NS},absent` });
    try {
      const cache = await cacheFor<Meta>(virtualServices);
      expect(cache.list().map((v) => `${v.metadata.namespace}/${v.metadata.name}`)).toEqual([`${NS}/reviews`]);
    } finally {
      undo();
      restore = pointAtKubeconfig(sandbox.kubeconfig);
    }
  });
});

describe('jsonPatch on the sandbox', () => {
  const weightPath = '/spec/http/0/route/0/weight';

  it('answers 409 when a test op no longer holds', async () => {
    const error = await jsonPatch(virtualServices, NS, 'reviews', [{ op: 'test', path: weightPath, value: 7 }, { op: 'replace', path: weightPath, value: 100 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect([(error as ApiError).status, (error as ApiError).message]).toEqual([409, `VirtualService ${NS}/reviews changed since it was read: ${weightPath} is now 80, expected 7`]);
  });

  it('answers 422 naming the path when a replace has nothing to replace', async () => {
    const error = (await jsonPatch(virtualServices, NS, 'reviews', [{ op: 'replace', path: '/spec/tcp/0/route/0/weight', value: 1 }]).catch((e: unknown) => e)) as ApiError;
    expect([error.status, error.reason]).toEqual([422, 'Invalid']);
    expect(error.message).toContain('/spec/tcp/0/route/0/weight does not exist');
  });
});

describe('the object a write is based on', () => {
  type Vs = { metadata: { resourceVersion: string }; spec: { http: { route: { weight: number }[] }[] } };
  const path = objectPath(virtualServices, NS, 'reviews');

  it('is the object at the edited version, even when the cache has not seen that version yet', async () => {
    const cache = await cacheFor<Vs & { metadata: { name: string; namespace: string } }>(virtualServices);
    cache.stop(); // the watch no longer follows: the cache lags from here on, as a slow one would
    try {
      const edited = await mergePatch(path, { metadata: { labels: { touched: String(Date.now()) } } }) as Vs;
      expect(cache.get(NS, 'reviews')?.metadata.resourceVersion).not.toBe(edited.metadata.resourceVersion);
      const base = await objectAtVersion<Vs>(virtualServices, NS, 'reviews', edited.metadata.resourceVersion);
      expect(base?.metadata.resourceVersion).toBe(edited.metadata.resourceVersion);
    } finally {
      await cacheFor(virtualServices).then((c) => c.stop());
    }
  });

  it('is a conflict, before any write, when the object moved past the edited version', async () => {
    const before = await kubeRequest<Vs>({ path });
    await mergePatch(path, { metadata: { labels: { touched: `again-${Date.now()}` } } });
    await expect(objectAtVersion(virtualServices, NS, 'reviews', before.metadata.resourceVersion)).rejects.toMatchObject({ status: 409, reason: 'Conflict' });
    expect(await objectAtVersion(virtualServices, NS, 'gone', '1')).toBeUndefined();
  });
});
