import { ApiError, apiErrorFromStatus, toApiError } from './errors';

/** The parts of a Kubernetes object the cache relies on. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    managedFields?: unknown;
  };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** What the cache needs from the API: a LIST and a WATCH that resumes from a resourceVersion. */
export interface ListWatch<T extends KubeObject> {
  list(): Promise<{ items: T[]; resourceVersion: string }>;
  watch(
    resourceVersion: string,
    onEvent: (type: WatchEventType, object: T) => void,
    onClose: (error?: unknown) => void,
  ): Promise<{ abort(): void }>;
}

export interface CacheOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A watch that ends sooner than this counts as a failure: backoff before the next one (default 1 s). */
  minWatchMs?: number;
}

export interface CacheState {
  synced: boolean;
  resourceVersion: string;
  lastError?: string;
}

/**
 * One object a watch event changed, as the cache now keeps it (a deletion: as last seen). A
 * relist passes no change: the listener compares the cache with what it saw before.
 */
export interface CacheChange<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
}

type Listener<T = KubeObject> = (change?: CacheChange<T>) => void;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

// Strings that recur across objects: stored once, not once per object (at 10,000 objects a
// JSON parse makes 10,000 copies of "networking.istio.io/v1"). Bounded: a table that fills up
// starts over, and what was shared stays shared.
const INTERN_LIMIT = 20_000;
const interned = new Map<string, string>();
function intern(value: string): string {
  if (value.length > 512) return value; // rarely shared; would only churn the table
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(value, value);
  return value;
}
const internAll = (map: Record<string, string> | undefined) => (map ? Object.fromEntries(Object.entries(map).map(([k, v]) => [intern(k), intern(v)])) : map);

/**
 * The object as the cache keeps it. managedFields and kubectl's last-applied copy of the object
 * are never read, and on a real cluster they are often larger than the rest of the object
 * together; what is kept has its recurring strings shared: kind, apiVersion, namespace, creation
 * time, labels and annotations.
 */
export function compact<T extends KubeObject>(object: T): T {
  const metadata = object.metadata as (KubeObject['metadata'] & { labels?: Record<string, string>; creationTimestamp?: string }) | undefined;
  if (!metadata) return object;
  const { managedFields: _dropped, annotations, labels, ...rest } = metadata;
  const { [LAST_APPLIED]: _lastApplied, ...kept } = annotations ?? {};
  const compacted: typeof metadata = { ...rest };
  if (rest.namespace !== undefined) compacted.namespace = intern(rest.namespace);
  if (typeof rest.creationTimestamp === 'string') compacted.creationTimestamp = intern(rest.creationTimestamp);
  if (labels) compacted.labels = internAll(labels);
  if (Object.keys(kept).length > 0) compacted.annotations = internAll(kept);
  const result = { ...object, metadata: compacted };
  if (typeof object.apiVersion === 'string') result.apiVersion = intern(object.apiVersion);
  if (typeof object.kind === 'string') result.kind = intern(object.kind);
  return result;
}

const isGone = (error: unknown) => toApiError(error).status === 410;
const byKey = (a: KubeObject, b: KubeObject) => compare(a.metadata?.namespace ?? '', b.metadata?.namespace ?? '') || compare(a.metadata?.name ?? '', b.metadata?.name ?? '');
// Names are DNS labels: code-point order is etcd's order, and much cheaper than localeCompare.
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What readers need from a watch-backed cache of one kind (one list+watch, or several merged). */
export interface ObjectCache<T extends KubeObject> {
  /** Starts the list/watch loop; resolves after the first successful list, rejects if it fails. */
  start(): Promise<void>;
  stop(): void;
  /** Sync state; the resourceVersion is that of one namespace's list when the cache is split by namespace. */
  state(namespace?: string): CacheState;
  /** Every object, or those of one namespace, sorted by namespace then name. */
  list(namespace?: string): T[];
  get(namespace: string | undefined, name: string): T | undefined;
  /** Calls the listener after every change (with the object a watch event changed; none after a relist); returns the unsubscribe function. */
  subscribe(listener: Listener<T>): () => void;
}

/**
 * An in-memory mirror of one resource kind, kept current by a watch: list once, then
 * watch from that resourceVersion; relist when the server says the version is gone
 * (410, as an HTTP status or a watch ERROR event); reconnect with exponential backoff
 * after a failure. Readers never hit the API.
 */
export class ResourceCache<T extends KubeObject> implements ObjectCache<T> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private sortedAll: T[] | undefined;
  private readonly listeners = new Set<Listener<T>>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private backoffMs: number;
  private resourceVersion = '';
  private synced = false;
  private lastError: string | undefined;
  private stopped = false;
  private currentWatch: { abort(): void } | undefined;
  // Events or a close from a watch we already left behind must not touch the cache.
  private watchGeneration = 0;
  private watchStartedAt = 0;
  private readonly minWatchMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private firstSync: Promise<void> | undefined;
  private retriedGone = false;

  constructor(private readonly source: ListWatch<T>, options: CacheOptions = {}) {
    this.initialBackoffMs = options.initialBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.backoffMs = this.initialBackoffMs;
    this.minWatchMs = options.minWatchMs ?? 1000;
  }

  start(): Promise<void> {
    this.firstSync ??= this.relist().then(() => {
      if (!this.synced) throw new ApiError(503, this.lastError ?? 'The first list failed');
    });
    return this.firstSync;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.leaveWatch();
  }

  state(): CacheState {
    return { synced: this.synced, resourceVersion: this.resourceVersion, lastError: this.lastError };
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.byNamespace.get(namespace)?.values() ?? [])].sort(byKey);
    this.sortedAll ??= [...this.byNamespace.values()].flatMap((objects) => [...objects.values()]).sort(byKey);
    return this.sortedAll.slice(); // callers may sort or splice their copy
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.byNamespace.get(namespace ?? '')?.get(name);
  }

  subscribe(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(change?: CacheChange<T>): void {
    for (const listener of this.listeners) listener(change);
  }

  private put(object: T): T {
    const namespace = object.metadata?.namespace ?? '';
    let objects = this.byNamespace.get(namespace);
    if (!objects) this.byNamespace.set(namespace, (objects = new Map()));
    const kept = compact(object);
    objects.set(object.metadata?.name ?? '', kept);
    this.sortedAll = undefined;
    return kept;
  }

  private remove(object: T): void {
    const namespace = object.metadata?.namespace ?? '';
    const objects = this.byNamespace.get(namespace);
    objects?.delete(object.metadata?.name ?? '');
    if (objects?.size === 0) this.byNamespace.delete(namespace);
    this.sortedAll = undefined;
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const { items, resourceVersion } = await this.source.list();
      this.byNamespace.clear();
      for (const item of items) this.put(item);
      this.sortedAll = undefined;
      this.resourceVersion = resourceVersion;
      this.synced = true;
      this.lastError = undefined;
      this.retriedGone = false;
      this.notify();
      void this.startWatch(); // readers need the list, not the watch connection
    } catch (error) {
      // A 410 here is a paginated list whose continue token expired: start over at once (once).
      if (isGone(error) && !this.retriedGone) {
        this.retriedGone = true;
        return this.relist();
      }
      this.fail(error, () => this.relist());
    }
  }

  private async startWatch(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.watchGeneration;
    const current = () => generation === this.watchGeneration && !this.stopped;
    this.watchStartedAt = Date.now();
    try {
      const watch = await this.source.watch(
        this.resourceVersion,
        (type, object) => current() && this.apply(type, object),
        (error) => current() && this.onWatchClosed(error),
      );
      if (!current()) return watch.abort();
      this.currentWatch = watch;
    } catch (error) {
      if (!current()) return;
      if (isGone(error)) return void this.relist();
      this.fail(error, () => this.startWatch());
    }
  }

  private leaveWatch(): void {
    this.watchGeneration++;
    this.currentWatch?.abort();
    this.currentWatch = undefined;
  }

  private apply(type: WatchEventType, object: T): void {
    if (type === 'ERROR') {
      // The server ends the stream with a Status; 410 means our version fell out of its window.
      this.leaveWatch();
      return this.onWatchClosed(apiErrorFromStatus(object));
    }
    // A bookmark only says how far the server has got: it moves the version, nothing else.
    const rv = object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (type === 'BOOKMARK') return;
    if (type === 'DELETED') {
      this.remove(object);
      this.notify({ type, object });
    } else {
      this.notify({ type, object: this.put(object) });
    }
  }

  private onWatchClosed(error?: unknown): void {
    this.currentWatch = undefined;
    if (this.stopped) return;
    // A watch that ends at once, over and over (a proxy cutting streams, a server that keeps
    // answering 410), must not become a tight loop of watches and relists: back off, as
    // client-go's reflector does for very short watches.
    const short = Date.now() - this.watchStartedAt < this.minWatchMs;
    const relist = !this.resourceVersion || isGone(error);
    if (short) return this.fail(error ?? new Error('the watch ended as soon as it started'), () => (relist ? this.relist() : this.startWatch()));
    this.backoffMs = this.initialBackoffMs; // it ran: the connection works
    if (relist) return void this.relist();
    if (error) return this.fail(error, () => this.startWatch());
    void this.startWatch(); // a normal server-side timeout: resume where we were
  }

  private fail(error: unknown, retry: () => Promise<void>): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    this.retryTimer = setTimeout(() => void retry(), delay);
    this.retryTimer.unref?.();
  }
}

/**
 * Several caches of one kind read as one, e.g. one list+watch per allowed namespace when the
 * dashboard may not list cluster-wide.
 */
export class MergedCache<T extends KubeObject> implements ObjectCache<T> {
  private readonly members: [string, ObjectCache<T>][];

  constructor(byNamespace: Map<string, ObjectCache<T>>) {
    this.members = [...byNamespace].sort(([a], [b]) => compare(a, b));
  }

  private member(namespace: string | undefined): ObjectCache<T> | undefined {
    return this.members.find(([ns]) => ns === namespace)?.[1];
  }

  async start(): Promise<void> {
    await Promise.all(this.members.map(([, cache]) => cache.start()));
  }

  stop(): void {
    for (const [, cache] of this.members) cache.stop();
  }

  state(namespace?: string): CacheState {
    const one = this.member(namespace) ?? (this.members.length === 1 ? this.members[0]?.[1] : undefined);
    if (one) return one.state();
    const states = this.members.map(([, cache]) => cache.state());
    return { synced: states.every((s) => s.synced), resourceVersion: '', lastError: states.find((s) => s.lastError)?.lastError };
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return this.member(namespace)?.list(namespace) ?? [];
    return this.members.flatMap(([ns, cache]) => cache.list(ns));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.member(namespace)?.get(namespace, name);
  }

  subscribe(listener: Listener<T>): () => void {
    const unsubscribes = this.members.map(([, cache]) => cache.subscribe(listener));
    return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
  }
}
