// Reads the mesh's Meshdeck configuration from the watch-backed ConfigMap cache: no API
// call per request, and a change to a ConfigMap shows on the next page load.
import { cacheFor } from '@/lib/k8s/caches';
import { toApiError } from '@/lib/k8s/errors';
import { configMaps } from '@/lib/k8s/resources';
import { rootNamespace } from '@/lib/k8s/security';
import { CONFIG_LABEL, parseConfigMaps, type LoadedConfig } from './schema';

// The KPIs page must not wait on a slow API server for its optional part.
const READ_TIMEOUT_MS = 3000;

/**
 * Every ConfigMap labelled meshdeck.io/config=true, validated. Never throws: when
 * Kubernetes cannot be read, `error` says why and there are no sources.
 */
export async function readMeshdeckConfig(): Promise<LoadedConfig> {
  const root = rootNamespace();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the Kubernetes API did not list ConfigMaps within ${READ_TIMEOUT_MS / 1000} s`)), READ_TIMEOUT_MS);
    });
    // Only the labelled ConfigMaps are listed and watched: the others (audit trails, dashboards) can be large.
    const cache = await Promise.race([
      cacheFor<{ metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; data?: Record<string, string> }>(configMaps, {
        labelSelector: `${CONFIG_LABEL}=true`,
      }),
      timeout,
    ]);
    return parseConfigMaps(cache.list(), root);
  } catch (error) {
    return {
      sources: [],
      problems: [],
      error: `Meshdeck's configuration (ConfigMaps labelled ${CONFIG_LABEL}=true) could not be read: ${toApiError(error).message}`,
      rootNamespace: root,
    };
  } finally {
    clearTimeout(timer);
  }
}
