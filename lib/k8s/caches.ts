import { Watch } from '@kubernetes/client-node';
import { ApiError, toApiError } from './errors';
import { kubeRequest } from './http';
import { kubeConnection } from './kube-config';
import { ResourceCache, type KubeObject, type ListWatch } from './resource-cache';
import { apiVersionOf, collectionPath, type ResourceDescriptor } from './resources';

interface KubeList<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

// Server closes each watch after this long; we resume from the last resourceVersion.
const WATCH_TIMEOUT_SECONDS = 240;

function listWatchFor<T extends KubeObject>(descriptor: ResourceDescriptor): ListWatch<T> {
  const connection = kubeConnection();
  if (!connection.configured) throw new ApiError(503, connection.reason, 'ServiceUnavailable');
  const watcher = new Watch(connection.kc);
  return {
    async list() {
      const list = await kubeRequest<KubeList<T>>({ path: collectionPath(descriptor), timeoutMs: 30_000 });
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    watch(resourceVersion, onEvent, onClose) {
      return watcher.watch(
        collectionPath(descriptor),
        { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_SECONDS },
        (type, object) => onEvent(type as never, object as T),
        onClose,
      );
    },
  };
}

const globalKey = Symbol.for('meshdeck.resourceCaches');
type GlobalWithCaches = typeof globalThis & { [globalKey]?: Map<string, ResourceCache<KubeObject>> };

/**
 * The process-wide cache for one kind, started on first use. Waits for its first
 * list; throws an ApiError (503 when the cluster is unreachable) if that fails.
 */
export async function cacheFor<T extends KubeObject>(descriptor: ResourceDescriptor): Promise<ResourceCache<T>> {
  const g = globalThis as GlobalWithCaches;
  const caches = (g[globalKey] ??= new Map());
  const key = `${apiVersionOf(descriptor)}/${descriptor.plural}`;
  let cache = caches.get(key) as ResourceCache<T> | undefined;
  if (!cache) {
    cache = new ResourceCache<T>(listWatchFor<T>(descriptor));
    caches.set(key, cache as ResourceCache<KubeObject>);
  }
  try {
    await cache.start();
  } catch (error) {
    // Forget a cache whose first list failed, so the next request tries again.
    cache.stop();
    caches.delete(key);
    throw toApiError(error);
  }
  return cache;
}
