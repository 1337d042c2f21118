// The live analysis over fake watch caches: which changes reach the engine (a watch event's object;
// after a relist, what differs by resourceVersion; nothing for a change analyzers cannot see), and
// kinds the cluster does not serve.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Analysis } from '@/lib/analysis/engine';
import { K } from '@/lib/analysis/kinds';
import type { Finding } from '@/lib/analysis/types';
import { ApiError } from './errors';
import type { CacheChange, KubeObject, ObjectCache } from './resource-cache';
import type { ResourceDescriptor } from './resources';

class FakeCache implements ObjectCache<KubeObject> {
  items = new Map<string, KubeObject>();
  private readonly listeners = new Set<(change?: CacheChange<KubeObject>) => void>();
  start = () => Promise.resolve();
  stop = () => undefined;
  state = () => ({ synced: true, resourceVersion: '1' });
  list = () => [...this.items.values()];
  get = (namespace: string | undefined, name: string) => this.items.get(`${namespace}/${name}`);
  subscribe(listener: (change?: CacheChange<KubeObject>) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  put(object: KubeObject, type: 'ADDED' | 'MODIFIED' = 'ADDED') {
    this.items.set(`${object.metadata?.namespace}/${object.metadata?.name}`, object);
    for (const listener of this.listeners) listener({ type, object });
  }
  /** Replaces everything, as a relist does, and tells listeners without a change. */
  relist(objects: KubeObject[]) {
    this.items = new Map(objects.map((o) => [`${o.metadata?.namespace}/${o.metadata?.name}`, o]));
    for (const listener of this.listeners) listener();
  }
}

const fakes = new Map<string, FakeCache>();
vi.mock('./caches', () => ({
  cacheFor: (descriptor: ResourceDescriptor) => {
    const cache = fakes.get(descriptor.plural);
    return cache ? Promise.resolve(cache) : Promise.reject(new ApiError(503, 'the first list failed'));
  },
  recordRead: () => undefined,
}));
vi.mock('./kube-config', () => ({ kubeConnection: () => ({ configured: true }) }));
vi.mock('./http', () => ({ kubeRequest: () => Promise.reject(new ApiError(404, 'the server could not find the requested resource')) }));

const { clusterAnalysis } = await import('./analysis');

const vs = (subset: string, rv: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'ratings', namespace: 'books', resourceVersion: rv },
  spec: { hosts: ['ratings'], http: [{ route: [{ destination: { host: 'ratings', subset } }] }] },
});
const dr = (rv: string) => ({
  metadata: { name: 'ratings', namespace: 'books', resourceVersion: rv },
  spec: { host: 'ratings', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
});
const subsetFindings = (findings: readonly Finding[]) => findings.filter((f) => f.analyzer === 'virtualservice.destinationrules').map((f) => f.message);
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('meshdeck.clusterAnalysis')];
  fakes.clear();
  for (const plural of ['virtualservices', 'destinationrules']) fakes.set(plural, new FakeCache());
  fakes.get('virtualservices')!.items.set('books/ratings', vs('v1', '1'));
});
afterEach(() => vi.restoreAllMocks());

describe('the live analysis over watch caches', () => {
  it('names the kinds it could not list, and why', async () => {
    const status = (await clusterAnalysis()).status();
    expect(status.loaded).toEqual([K.DestinationRule, K.VirtualService]);
    expect(status.notLoaded.find((k) => k.kind === K.HTTPRoute)?.reason).toBe('the cluster does not serve httproutes.gateway.networking.k8s.io/v1 (404)');
  });

  it("hands the engine a watch event's object, and tells its readers when findings change", async () => {
    const analysis = await clusterAnalysis();
    expect(subsetFindings(analysis.findings())).toEqual(['Referenced host+subset in destinationrule not found: "ratings+v1"']);
    const told = vi.fn();
    analysis.subscribe(told);
    const apply = vi.spyOn(Analysis.prototype, 'apply');
    // Both events of one tick reach the engine together.
    fakes.get('destinationrules')!.put(dr('2'));
    fakes.get('virtualservices')!.put(vs('v1', '3'), 'MODIFIED');
    await settle();
    expect(apply).toHaveBeenCalledTimes(1);
    // The VirtualService's event changed nothing analyzers read (only its resourceVersion): not passed on.
    expect(apply.mock.calls[0]![0].map((c) => `${c.type} ${c.object.kind} ${c.object.apiVersion}`)).toEqual([
      'upsert DestinationRule networking.istio.io/v1',
    ]);
    expect(subsetFindings(analysis.findings())).toEqual([]);
    expect(told).toHaveBeenCalledTimes(1);
  });

  it('after a relist, passes on only what differs by resourceVersion, deletions included', async () => {
    const analysis = await clusterAnalysis();
    fakes.get('destinationrules')!.put(dr('2'));
    await settle();
    const apply = vi.spyOn(Analysis.prototype, 'apply');
    fakes.get('destinationrules')!.relist([]);
    fakes.get('virtualservices')!.relist([vs('v1', '1')]);
    await settle();
    expect(apply.mock.calls.flatMap(([changes]) => changes.map((c) => `${c.type} ${c.object.kind}`))).toEqual(['delete DestinationRule']);
    expect(subsetFindings(analysis.findings())).toHaveLength(1);
  });

  it('reads the findings of one object, and previews a change without keeping it', async () => {
    const analysis = await clusterAnalysis();
    expect(subsetFindings(analysis.findingsFor(K.VirtualService, 'books', 'ratings'))).toHaveLength(1);
    expect(analysis.findingsFor(K.VirtualService, 'books', 'other')).toEqual([]);
    const diff = analysis.preview([{ type: 'upsert', object: { ...dr('9'), apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule' } as never }]);
    expect(subsetFindings(diff.removed)).toHaveLength(1);
    expect(subsetFindings(analysis.findings())).toHaveLength(1);
  });
});
