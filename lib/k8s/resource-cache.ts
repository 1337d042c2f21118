import { ApiError } from './errors';

/** The parts of a Kubernetes object the cache relies on. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
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
}

export interface CacheState {
  synced: boolean;
  resourceVersion: string;
  lastError?: string;
}

type Listener = () => void;

const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

function strip<T extends KubeObject>(object: T): T {
  if (!object.metadata?.managedFields) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
}

const isGone = (error: unknown) =>
  (error instanceof ApiError && error.status === 410) ||
  (typeof error === 'object' && error !== null && ((error as { code?: unknown }).code === 410 || (error as { statusCode?: unknown }).statusCode === 410));

/**
 * An in-memory mirror of one resource kind, kept current by a watch: list once, then
 * watch from that resourceVersion; relist when the server says the version is gone
 * (410); reconnect with exponential backoff after a failure. Readers never hit the API.
 */
export class ResourceCache<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly listeners = new Set<Listener>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private backoffMs: number;
  private resourceVersion = '';
  private synced = false;
  private lastError: string | undefined;
  private stopped = false;
  private currentWatch: { abort(): void } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private firstSync: Promise<void> | undefined;

  constructor(private readonly source: ListWatch<T>, options: CacheOptions = {}) {
    this.initialBackoffMs = options.initialBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.backoffMs = this.initialBackoffMs;
  }

  /** Starts the list/watch loop; resolves after the first successful list, rejects if it fails. */
  start(): Promise<void> {
    this.firstSync ??= this.relist().then(() => {
      if (!this.synced) throw new ApiError(503, this.lastError ?? 'The first list failed');
    });
    return this.firstSync;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.currentWatch?.abort();
  }

  state(): CacheState {
    return { synced: this.synced, resourceVersion: this.resourceVersion, lastError: this.lastError };
  }

  /** Every object, or those of one namespace, sorted by namespace then name. */
  list(namespace?: string): T[] {
    const all = [...this.objects.values()].filter((o) => namespace === undefined || o.metadata?.namespace === namespace);
    return all.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(`${namespace ?? ''}/${name}`);
  }

  /** Calls the listener after every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const { items, resourceVersion } = await this.source.list();
      this.objects.clear();
      for (const item of items) this.objects.set(keyOf(item), strip(item));
      this.resourceVersion = resourceVersion;
      this.synced = true;
      this.lastError = undefined;
      this.notify();
      await this.startWatch();
    } catch (error) {
      this.fail(error, () => this.relist());
    }
  }

  private async startWatch(): Promise<void> {
    if (this.stopped) return;
    try {
      this.currentWatch = await this.source.watch(
        this.resourceVersion,
        (type, object) => this.apply(type, object),
        (error) => this.onWatchClosed(error),
      );
      this.backoffMs = this.initialBackoffMs;
    } catch (error) {
      if (isGone(error)) return void this.relist();
      this.fail(error, () => this.startWatch());
    }
  }

  private apply(type: WatchEventType, object: T): void {
    if (type === 'ERROR') {
      // The server ends the stream with a Status; 410 means our version fell out of its window.
      if ((object as { code?: number }).code === 410) this.resourceVersion = '';
      return;
    }
    const rv = object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (type === 'BOOKMARK') return;
    if (type === 'DELETED') this.objects.delete(keyOf(object));
    else this.objects.set(keyOf(object), strip(object));
    this.notify();
  }

  private onWatchClosed(error?: unknown): void {
    this.currentWatch = undefined;
    if (this.stopped) return;
    if (!this.resourceVersion || isGone(error)) return void this.relist();
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
