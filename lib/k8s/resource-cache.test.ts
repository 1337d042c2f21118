import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './errors';
import { ResourceCache, type KubeObject, type ListWatch, type WatchEventType } from './resource-cache';

type Obj = KubeObject & { spec?: { v: number } };
const obj = (ns: string, name: string, rv: string, v = 0): Obj => ({
  metadata: { namespace: ns, name, resourceVersion: rv, managedFields: [{ manager: 'kubectl' }] },
  spec: { v },
});

/** A scriptable API: lists return `items`, watches are recorded so the test can push events or close them. */
function fakeApi(initial: Obj[], rv = '10') {
  const state = { items: initial, rv, lists: 0, watches: [] as { rv: string; emit: (t: WatchEventType, o: Obj) => void; close: (e?: unknown) => void }[], failWatchWith: undefined as unknown };
  const source: ListWatch<Obj> = {
    async list() {
      state.lists++;
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
    const cache = new ResourceCache(source);
    await cache.start();
    expect(cache.list().map((o) => o.metadata?.name)).toEqual(['x', 'y']);
    expect(cache.list()[0]?.metadata?.managedFields).toBeUndefined();
    expect(state.watches[0]?.rv).toBe('10');
    expect(cache.list('b')).toHaveLength(1);
  });

  it('applies added, modified and deleted events and notifies subscribers', async () => {
    const { state, source } = fakeApi([obj('a', 'x', '4', 1)]);
    const cache = new ResourceCache(source);
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
  });

  it('tracks bookmarks without notifying', async () => {
    const { state, source } = fakeApi([]);
    const cache = new ResourceCache(source);
    await cache.start();
    const seen = vi.fn();
    cache.subscribe(seen);
    state.watches[0]!.emit('BOOKMARK', { metadata: { resourceVersion: '99' } });
    expect(cache.state().resourceVersion).toBe('99');
    expect(seen).not.toHaveBeenCalled();
  });

  it('resumes from the last resourceVersion when the server closes the watch normally', async () => {
    const { state, source } = fakeApi([]);
    const cache = new ResourceCache(source);
    await cache.start();
    state.watches[0]!.emit('ADDED', obj('a', 'x', '20'));
    state.watches[0]!.close();
    await flush();
    expect(state.watches[1]?.rv).toBe('20');
    expect(state.lists).toBe(1);
  });

  it('relists when the watch reports 410 Gone', async () => {
    const { state, source } = fakeApi([obj('a', 'old', '1')], '10');
    const cache = new ResourceCache(source);
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
    const cache = new ResourceCache(source);
    await cache.start();
    await flush();
    expect(state.lists).toBe(2);
    expect(state.watches).toHaveLength(1);
  });

  it('reconnects with growing backoff after errors', async () => {
    vi.useFakeTimers();
    try {
      const { state, source } = fakeApi([], '10');
      const cache = new ResourceCache(source, { initialBackoffMs: 100, maxBackoffMs: 250 });
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
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects start() when the first list fails', async () => {
    const source: ListWatch<Obj> = {
      list: async () => {
        throw new ApiError(503, 'unreachable');
      },
      watch: async () => ({ abort: () => undefined }),
    };
    const cache = new ResourceCache(source, { initialBackoffMs: 60_000 });
    await expect(cache.start()).rejects.toThrow('unreachable');
    cache.stop();
  });
});
