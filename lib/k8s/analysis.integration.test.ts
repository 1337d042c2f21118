// The live analysis against the sandbox's Kubernetes API: findings follow watch events (only the
// changed object goes to the engine), kinds the cluster does not serve are named, Secrets and
// Pods are held as little as the analyzers need.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K } from '@/lib/analysis/kinds';
import { obj } from '@/lib/analysis/testing';
import type { Finding } from '@/lib/analysis/types';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import { clusterAnalysis } from './analysis';
import { cacheFor } from './caches';
import { pointAtKubeconfig } from './fake-api';
import { kubeRequest } from './http';
import type { KubeObject } from './resource-cache';
import { collectionPath, destinationRules, objectPath, pods, virtualServices } from './resources';

let sandbox: TestSandbox;
let restore: () => void;
const NS = 'analyzed';

const create = (path: string, body: unknown) => kubeRequest({ method: 'POST', path, body });
// Only the subset rule's findings: other analyzers come and go in the registry.
const subsetRule = (f: Finding) => f.analyzer === 'virtualservice.destinationrules';
const summary = async () =>
  (await clusterAnalysis())
    .findings()
    .filter((f) => f.origin.namespace === NS && subsetRule(f))
    .map((f) => `${f.code} ${f.origin.kind} ${f.origin.name} ${f.path ?? ''}`);
const routeTo = (subset: string) => ({ hosts: ['ratings'], http: [{ route: [{ destination: { host: 'ratings', subset } }] }] });

beforeAll(async () => {
  sandbox = await startTestSandbox({ manifests: null });
  restore = pointAtKubeconfig(sandbox.kubeconfig);
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await create(collectionPath(virtualServices, NS), obj('VirtualService', `${NS}/ratings`, routeTo('v1')));
  await create(collectionPath(pods, NS), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'ratings-1', namespace: NS, labels: { app: 'ratings', version: 'v1' } },
    spec: { containers: [{ name: 'app', image: 'registry.example/ratings:2', env: [{ name: 'TOKEN', value: 'not for the console' }], ports: [{ containerPort: 8080 }] }] },
    status: { phase: 'Running' },
  });
  await create('/api/v1/namespaces/analyzed/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: NS }, data: { 'tls.key': 'c2VjcmV0' } });
}, 60_000);
afterAll(async () => {
  restore?.();
  await sandbox?.stop();
});

describe('the live cluster analysis', () => {
  it('reports what the cluster holds, and names the kinds it does not serve', async () => {
    expect(await summary()).toEqual(['IST0101 VirtualService ratings spec.http[0].route[0].destination.subset']);
    const status = (await clusterAnalysis()).status();
    expect(status.synced).toBe(true);
    expect(status.loaded).toContain(K.VirtualService);
    expect(status.notLoaded.find((k) => k.kind === K.HTTPRoute)?.reason).toMatch(/does not serve httproutes\.gateway\.networking\.k8s\.io\/.+ \(404\)/);
  });

  it('follows watch events: a DestinationRule that defines the subset clears the finding, a change of route brings one back', async () => {
    const analysis = await clusterAnalysis();
    const before = analysis.version;
    await create(collectionPath(destinationRules, NS), obj('DestinationRule', `${NS}/ratings`, { host: 'ratings', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }));
    await expect.poll(summary).toEqual([]);
    expect(analysis.version).toBeGreaterThan(before);
    await kubeRequest({ method: 'PATCH', path: objectPath(virtualServices, NS, 'ratings'), body: { spec: routeTo('v2') }, contentType: 'application/merge-patch+json' });
    await expect.poll(summary).toEqual(['IST0101 VirtualService ratings spec.http[0].route[0].destination.subset']);
    expect(analysis.findingsFor(K.VirtualService, NS, 'ratings').filter(subsetRule)).toHaveLength(1);
    expect(analysis.findingsFor(K.DestinationRule, NS, 'ratings').filter(subsetRule)).toEqual([]);
  });

  it('previews a change without keeping it', async () => {
    const analysis = await clusterAnalysis();
    const fixed = obj('VirtualService', `${NS}/ratings`, routeTo('v1'));
    const diff = analysis.preview([{ type: 'upsert', object: fixed }]);
    expect(diff.removed.filter(subsetRule)).toHaveLength(1);
    expect(diff.added.filter(subsetRule)).toEqual([]);
    expect(await summary()).toHaveLength(1);
  });

  it('tells its live readers when the findings change', async () => {
    const analysis = await clusterAnalysis();
    let told = 0;
    const unsubscribe = analysis.subscribe(() => told++);
    await kubeRequest({ method: 'DELETE', path: objectPath(virtualServices, NS, 'ratings') });
    await expect.poll(summary).toEqual([]);
    expect(told).toBeGreaterThan(0);
    unsubscribe();
  });

  it('holds no Secret data and only the Pod fields analyzers read', async () => {
    const secretsCache = await cacheFor<KubeObject & { data?: unknown }>({ group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true }, { metadataOnly: true });
    expect(secretsCache.get(NS, 'tls')?.data).toBeUndefined();
    const { POD_PROJECTION } = await import('./analysis');
    const podCache = await cacheFor<KubeObject & { spec?: { containers?: Record<string, unknown>[] }; status?: unknown }>(pods, { projection: POD_PROJECTION });
    const pod = podCache.get(NS, 'ratings-1');
    expect(pod?.spec?.containers).toEqual([{ name: 'app', image: 'registry.example/ratings:2', ports: [{ containerPort: 8080 }] }]);
    expect(pod?.status).toEqual({ phase: 'Running' });
  });
});
