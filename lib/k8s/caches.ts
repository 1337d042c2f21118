import { AsyncLocalStorage } from 'node:async_hooks';
import { ApiError, toApiError } from './errors';
import { kubeRequest, kubeWatch } from './http';
import { kubeConnection } from './kube-config';
import { compact, MergedCache, ResourceCache, type KubeObject, type ListWatch, type ObjectCache } from './resource-cache';
import { apiVersionOf, collectionPath, type ResourceDescriptor } from './resources';

/** Narrows what a cache holds: fewer objects (labelSelector) or less of each (metadataOnly). */
export interface CacheScope {
  /** Only objects matching this label selector, e.g. `app.kubernetes.io/managed-by=meshdeck`. */
  labelSelector?: string;
  /** Only each object's metadata (as PartialObjectMetadata), e.g. Pods counted by their labels. */
  metadataOnly?: boolean;
  /** Only the fields a reader needs of each object, kept as they arrive (bounded memory for big kinds). */
  projection?: Projection;
}

/** Keeps part of each object; `id` tells caches of one kind with different projections apart. */
export interface Projection {
  id: string;
  keep<T extends KubeObject>(object: T): T;
}

interface KubeList<T> {
  items: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

// Server closes each watch after this long; we resume from the last resourceVersion.
const WATCH_TIMEOUT_SECONDS = 240;
// Lists come in pages, as client-go's reflector reads them, so neither side holds one huge answer.
const LIST_PAGE_SIZE = 500;
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const METADATA_WATCH = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

// An API server that ignores the Accept header still sends whole objects: keep only the metadata.
const metadataOf = <T extends KubeObject>(object: T) => ({ apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata }) as T;

/** The LIST and WATCH of one kind, cluster-wide or in one namespace, as the scope narrows them. */
export function listWatchFor<T extends KubeObject>(descriptor: ResourceDescriptor, scope: CacheScope = {}, namespace?: string): ListWatch<T> {
  const path = collectionPath(descriptor, namespace);
  // Each page compacted as it arrives: a first list of 10,000 objects never holds them all whole.
  const base = scope.metadataOnly ? (object: T) => compact(metadataOf(object)) : compact<T>;
  const projection = scope.projection;
  const shape = projection ? (object: T) => projection.keep(base(object)) : base;
  return {
    async list() {
      const items: T[] = [];
      let resourceVersion = '';
      let next: string | undefined;
      do {
        const page = await kubeRequest<KubeList<T>>({
          path,
          query: { labelSelector: scope.labelSelector, limit: LIST_PAGE_SIZE, continue: next },
          accept: scope.metadataOnly ? METADATA_LIST : undefined,
          timeoutMs: 60_000,
        });
        for (const item of page.items) items.push(shape(item));
        resourceVersion = page.metadata?.resourceVersion ?? '';
        next = page.metadata?.continue || undefined;
      } while (next);
      return { items, resourceVersion };
    },
    watch(resourceVersion, onEvent, onClose) {
      return kubeWatch(
        {
          path,
          query: { labelSelector: scope.labelSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_SECONDS },
          accept: scope.metadataOnly ? METADATA_WATCH : undefined,
          idleTimeoutMs: (WATCH_TIMEOUT_SECONDS + 60) * 1000,
        },
        (event) => onEvent(event.type, event.type === 'BOOKMARK' ? (event.object as T) : shape(event.object as T)),
        onClose,
      );
    },
  };
}

/** Something a read depends on that says when it changed: a watch cache, or a view kept from caches (the analysis). */
export interface ChangeSource {
  subscribe(listener: () => void): () => void;
}

// The caches (and other sources) a read looked at, recorded by cacheFor and recordRead while readRecordingCaches runs it.
const cacheReads = new AsyncLocalStorage<Set<ChangeSource>>();

/**
 * Runs a read and adds the watch caches it used to `into`, so a live view (lib/live) can
 * recompute when exactly those change. The set is filled even when the read fails after
 * reaching some caches.
 */
export function readRecordingCaches<T>(into: Set<ChangeSource>, read: () => Promise<T>): Promise<T> {
  return cacheReads.run(into, read);
}

/** Records that the running read depends on `source` (for sources that are not caches). */
export function recordRead(source: ChangeSource): void {
  cacheReads.getStore()?.add(source);
}

const globalKey = Symbol.for('meshdeck.resourceCaches');
type GlobalWithCaches = typeof globalThis & { [globalKey]?: Map<string, ObjectCache<KubeObject>> };

function newCache<T extends KubeObject>(descriptor: ResourceDescriptor, scope: CacheScope): ObjectCache<T> {
  const connection = kubeConnection();
  if (!connection.configured) throw new ApiError(503, connection.reason, 'ServiceUnavailable');
  // With MESHDECK_NAMESPACES the identity may only read those namespaces: one list+watch each.
  if (descriptor.namespaced && connection.namespaces) {
    return new MergedCache(new Map(connection.namespaces.map((ns) => [ns, new ResourceCache<T>(listWatchFor<T>(descriptor, scope, ns))])));
  }
  return new ResourceCache<T>(listWatchFor<T>(descriptor, scope));
}

/**
 * The process-wide cache for one kind (and scope), started on first use. Waits for its first
 * list; throws an ApiError (503 when the cluster is unreachable) if that fails. With
 * MESHDECK_NAMESPACES set, namespaced kinds are read per allowed namespace, never cluster-wide.
 */
export async function cacheFor<T extends KubeObject>(descriptor: ResourceDescriptor, scope: CacheScope = {}): Promise<ObjectCache<T>> {
  const g = globalThis as GlobalWithCaches;
  const caches = (g[globalKey] ??= new Map());
  const key = `${apiVersionOf(descriptor)}/${descriptor.plural}?labelSelector=${scope.labelSelector ?? ''}&metadataOnly=${Boolean(scope.metadataOnly)}&projection=${scope.projection?.id ?? ''}`;
  let cache = caches.get(key) as ObjectCache<T> | undefined;
  if (!cache) {
    cache = newCache<T>(descriptor, scope);
    caches.set(key, cache as ObjectCache<KubeObject>);
  }
  try {
    await cache.start();
  } catch (error) {
    // Forget a cache whose first list failed, so the next request tries again.
    cache.stop();
    caches.delete(key);
    throw toApiError(error);
  }
  recordRead(cache);
  return cache;
}
