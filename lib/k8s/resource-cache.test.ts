import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './errors';
import { MergedCache, ResourceCache, type KubeObject, type ListWatch, type WatchEventType } from './resource-cache';

type Obj = KubeObject & { spec?: { v: number } };
const obj = (ns: string, name: string, rv: string, v = 0): Obj => ({
  metadata: { namespace: ns, name, resourceVersion: rv, managedFields: [{ manager: 'kubectl' }] },
  spec: { v },
});

/** A scriptable API: lists return `items`, watches are recorded so the test can push events or close them. */
function fakeApi(initial: Obj[], rv = '10') {
  const state = { items: initial, rv, lists: 0, watches: [] as { rv: string; emit: (t: WatchEventType, o: Obj) => void; close: (e?: unknown) => void }[], failWatchWith: undefined as unknown, failListWith: undefined as unknown };
  const source: ListWatch<Obj> = {
    async list() {
      state.lists++;
      if (state.failListWith) {
        const error = state.failListWith;
        state.failListWith = undefined;
        throw error;
      }
      return { items: state.items, resourceVersion: state.rv };
    },
    async watch(resourceVersion, onEvent, onClose) {
      if (state.failWatchWith) {
        const error = state.failWatchWith;
        state.failWatchWith = undefined;
        throw error;
      }
      state.watches.push({ rv: resourceVersion, emit: onEvent, close: onClose });
      return { abort: () => undefined };
    },
  };
  return { state, source };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ResourceCache', () => {
  it('lists, strips managedFields, then watches from the list resourceVersion', async () => {
    const { state, source } = fakeApi([obj('b', 'y', '5'), obj('a', 'x', '4')], '10');
    const cache = new ResourceCache(source, { minWatchMs: 0 });
    await cache.start();
    expect(cache.list().map((o) => o.metadata?.name)).toEqual(['x', 'y']);
    expect(cache.list()[0]?.metadata?.managedFields).toBeUndefined();
    expect(state.watches[0]?.rv).toBe('10');
    expect(cache.list('b')).toHaveLength(1);
  });

  it('applies added, modified and deleted events and notifies subscribers', async () => {
    const { state, source } = fakeApi([obj('a', 'x', '4', 1)]);
    const cache = new ResourceCache(source, { minWatchMs: 0 });
    await cache.start();
    const seen = vi.fn();
    cache.subscribe(seen);
    const watch = state.watches[0]!;
    watch.emit('MODIFIED', obj('a', 'x', '11', 2));
    watch.emit('ADDED', obj('a', 'z', '12'));
    watch.emit('DELETED', obj('a', 'x', '13'));
    expect(cache.get('a', 'x')).toBeUndefined();
    expect(cache.get('a', 'z')?.metadata?.resourceVersion).toBe('12');
    expect(cache.state().resourceVersion).toBe('13');
    expect(seen).toHaveBeenCalledTimes(3);
    // Each listener learns which object changed, as the cache keeps it (managedFields dropped).
    const changes = seen.mock.calls.map((call) => call[0] as { type: string; object: Obj });
    expect(changes.map((change) => `${change.type} ${change.object.metadata?.name}`)).toEqual([
      'MODIFIED x',
      'ADDED z',
      'DELETED x',
    ]);
    expect(changes[1]?.object).toBe(cache.get('a', 'z'));
  });

  it('notifies without a change after a relist: the listener compares for itself', async () => {
    const { state, source } = fakeApi([obj('a', 'x', '4')], '10');
    const cache = new ResourceCache(source, { minWatchMs: 0 });
    await cache.start();
    const seen = vi.fn();
    cache.subscribe(seen);
    state.watches[0]!.emit('ERROR', { code: 410 } as Obj);
    state.watches[0]!.close();
    await flush();
    expect(seen).toHaveBeenCalledWith(undefined);
  });

  it('tracks bookmarks without notifying', async () => {
    const { state, source } = fakeApi([]);
    const cache = new ResourceCache(source, { minWatchMs: 0 });
    await cache.start();
    const seen = vi.fn();
    cache.subscribe(seen);
    state.watches[0]!.emit('BOOKMARK', { metadata: { resourceVersion: '99' } });
    expect(cache.state().resourceVersion).toBe('99');
    expect(seen).not.toHaveBeenCalled();
  });

  it('resumes from the last resourceVersion when the server closes the watch normally', async () => {
    const { state, source } = fakeApi([]);
    const cache = new ResourceCache(source, { minWatchMs: 0 });
    await cache.start();
    state.watches[0]!.emit('ADDED', obj('a', 'x', '20'));
    state.watches[0]!.close();
    await flush();
    expect(state.watches[1]?.rv).toBe('20');
    expect(state.lists).toBe(1);
  });

  it('relists when the watch reports 410 Gone', async () => {
    const { state, source } = fakeApi([obj('a', 'old', '1')], '10');
    const cache = new ResourceCache(source, { minWatchMs: 0 });
    await cache.start();
    state.items = [obj('a', 'new', '30')];
    state.rv = '30';
    state.watches[0]!.emit('ERROR', { code: 410 } as Obj);
    state.watches[0]!.close();
    await flush();
    expect(state.lists).toBe(2);
    expect(cache.list().map((o) => o.metadata?.name)).toEqual(['new']);
    expect(state.watches[1]?.rv).toBe('30');
  });

  it('relists when starting a watch fails with 410', async () => {
    const { state, source } = fakeApi([], '10');
    state.failWatchWith = new ApiError(410, 'too old');
    const cache = new ResourceCache(source, { minWatchMs: 0 });
    await cache.start();
    await flush();
    expect(state.lists).toBe(2);
    expect(state.watches).toHaveLength(1);
  });

  describe('with fake timers', () => {
    beforeEach(() => void vi.useFakeTimers());
    afterEach(() => void vi.useRealTimers());

    it('reconnects with growing backoff after errors', async () => {
      const { state, source } = fakeApi([], '10');
      const cache = new ResourceCache(source, { initialBackoffMs: 100, maxBackoffMs: 250, minWatchMs: 0 });
      await cache.start();
      state.watches[0]!.close(new Error('connection reset'));
      expect(cache.state().lastError).toBe('connection reset');
      await vi.advanceTimersByTimeAsync(99);
      expect(state.watches).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(state.watches).toHaveLength(2);
      // A successful reconnect resets the backoff.
      state.watches[1]!.close(new Error('again'));
      await vi.advanceTimersByTimeAsync(100);
      expect(state.watches).toHaveLength(3);
      cache.stop();
    });

    it('backs off when watches end as soon as they start, instead of looping', async () => {
      const { state, source } = fakeApi([], '10');
      const cache = new ResourceCache(source, { initialBackoffMs: 100, maxBackoffMs: 1000 });
      await cache.start();
      state.watches[0]!.close(); // a clean end, at once: a proxy cutting the stream
      await vi.advanceTimersByTimeAsync(99);
      expect(state.watches).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(state.watches).toHaveLength(2);
      state.watches[1]!.close();
      await vi.advanceTimersByTimeAsync(199);
      expect(state.watches).toHaveLength(2); // doubled
      await vi.advanceTimersByTimeAsync(1);
      expect(state.watches).toHaveLength(3);
      // A server that answers every watch with 410 at once is relisted at the backoff's pace too.
      state.watches[2]!.close(new ApiError(410, 'too old resource version'));
      expect(state.lists).toBe(1);
      await vi.advanceTimersByTimeAsync(400);
      expect(state.lists).toBe(2);
      // A watch that ran its course resets the pace.
      await vi.advanceTimersByTimeAsync(5000);
      state.watches[3]!.close();
      await vi.advanceTimersByTimeAsync(0);
      expect(state.watches).toHaveLength(5);
      cache.stop();
    });

    it('retries the watch from the same version after a non-410 ERROR event', async () => {
      const { state, source } = fakeApi([], '10');
      const cache = new ResourceCache(source, { initialBackoffMs: 100, minWatchMs: 0 });
      await cache.start();
      state.watches[0]!.emit('ERROR', { kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd is sad' } as Obj);
      expect(cache.state().lastError).toBe('etcd is sad');
      await vi.advanceTimersByTimeAsync(100);
      expect(state.lists).toBe(1);
      expect(state.watches[1]?.rv).toBe('10');
      cache.stop();
    });
  });

  it('rejects start() when the first list fails', async () => {
    const source: ListWatch<Obj> = {
      list: async () => {
        throw new ApiError(503, 'unreachable');
      },
      watch: async () => ({ abort: () => undefined }),
    };
    const cache = new ResourceCache(source, { initialBackoffMs: 60_000, minWatchMs: 0 });
    await expect(cache.start()).rejects.toThrow('unreachable');
    cache.stop();
  });
  it("strips kubectl's last-applied-configuration and keeps the other annotations", async () => {
    const applied = { ...obj('a', 'x', '4'), metadata: { namespace: 'a', name: 'x', resourceVersion: '4', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', keep: 'me' } } };
    const bare = { ...obj('a', 'y', '5'), metadata: { namespace: 'a', name: 'y', resourceVersion: '5', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } };
    const { state, source } = fakeApi([applied, bare]);
    const cache = new ResourceCache(source, { minWatchMs: 0 });
    await cache.start();
    expect(cache.get('a', 'x')?.metadata?.annotations).toEqual({ keep: 'me' });
    expect(cache.get('a', 'y')?.metadata).toEqual({ namespace: 'a', name: 'y', resourceVersion: '5' });
    state.watches[0]!.emit('MODIFIED', applied);
    expect(cache.get('a', 'x')?.metadata?.annotations).toEqual({ keep: 'me' });
  });

  it('moves only the resourceVersion on a bookmark: no object is added, none is dropped', async () => {
    const { state, source } = fakeApi([obj('a', 'x', '4')]);
    const cache = new ResourceCache(source, { minWatchMs: 0 });
    await cache.start();
    state.watches[0]!.emit('BOOKMARK', { kind: 'VirtualService', metadata: { resourceVersion: '50' } });
    expect(cache.list().map((o) => o.metadata?.name)).toEqual(['x']);
    state.watches[0]!.close();
    await flush();
    expect(state.watches[1]?.rv).toBe('50');
  });

  it('ignores what an abandoned watch still delivers after its ERROR event', async () => {
    const { state, source } = fakeApi([obj('a', 'x', '4')], '10');
    const cache = new ResourceCache(source, { minWatchMs: 0 });
    await cache.start();
    const old = state.watches[0]!;
    old.emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired' } as Obj);
    old.emit('ADDED', obj('a', 'ghost', '11'));
    old.close(new Error('late close'));
    await flush();
    expect(cache.get('a', 'ghost')).toBeUndefined();
    expect(cache.state().lastError).toBeUndefined();
    expect(state.lists).toBe(2);
    expect(state.watches).toHaveLength(2);
  });

  it('starts the list over at once when a continue token expired (410 during a paginated list)', async () => {
    const { state, source } = fakeApi([obj('a', 'x', '4')], '10');
    const cache = new ResourceCache(source, { initialBackoffMs: 60_000, minWatchMs: 0 });
    await cache.start();
    state.failListWith = new ApiError(410, 'The provided continue parameter is too old', 'Expired');
    state.watches[0]!.close(new ApiError(410, 'too old'));
    await flush();
    await flush();
    expect(state.lists).toBe(3);
    expect(state.watches).toHaveLength(2);
    cache.stop();
  });
});

describe('MergedCache', () => {
  it('reads one cache per namespace as one, sorted, and answers per namespace from its member', async () => {
    const b = fakeApi([obj('b', 'y', '5')], '20');
    const a = fakeApi([obj('a', 'z', '3'), obj('a', 'x', '4')], '21');
    const merged = new MergedCache(new Map([['b', new ResourceCache(b.source)], ['a', new ResourceCache(a.source)]]));
    await merged.start();
    expect(merged.list().map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual(['a/x', 'a/z', 'b/y']);
    expect(merged.list('b').map((o) => o.metadata?.name)).toEqual(['y']);
    expect(merged.list('elsewhere')).toEqual([]);
    expect(merged.get('a', 'z')?.metadata?.resourceVersion).toBe('3');
    expect(merged.state('b').resourceVersion).toBe('20');
    expect(merged.state()).toEqual({ synced: true, resourceVersion: '', lastError: undefined });
    const seen = vi.fn();
    merged.subscribe(seen);
    b.state.watches[0]!.emit('ADDED', obj('b', 'w', '22'));
    expect(seen).toHaveBeenCalledTimes(1);
    merged.stop();
  });
});
