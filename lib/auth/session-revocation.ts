// Signed-out sessions, kept in the cluster so that every replica refuses them: one ConfigMap in
// Meshdeck's namespace, `<session id>: <unix time the session would have ended>`, read through a
// label-selected watch cache. Entries are dropped once that time has passed, so it stays small.
import { cacheFor } from '@/lib/k8s/caches';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import { kubeRequest } from '@/lib/k8s/http';
import { kubeConnection } from '@/lib/k8s/kube-config';
import type { KubeObject } from '@/lib/k8s/resource-cache';
import { collectionPath, configMaps, objectPath } from '@/lib/k8s/resources';

export const REVOCATION_LABEL = 'meshdeck.io/revoked-sessions';
export const REVOCATION_CONFIGMAP = 'meshdeck-revoked-sessions';
// A check waits this long for the cache's first list before falling back to this replica's memory.
const FIRST_LIST_WAIT_MS = 2_000;

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

/** Meshdeck's own namespace (its Lease, this ConfigMap). */
export const meshdeckNamespace = (env = process.env) => env.POD_NAMESPACE || env.MESHDECK_NAMESPACE || 'meshdeck';

/** The merge patch that adds one revocation and drops the entries that have expired. */
export function revocationPatch(current: Record<string, string> | undefined, sessionId: string, endsAt: number, now: number): { data: Record<string, string | null> } {
  const data: Record<string, string | null> = { [sessionId]: String(endsAt) };
  for (const [id, until] of Object.entries(current ?? {})) if (Number(until) <= now) data[id] = null;
  return { data };
}

/** Whether the list revokes the session now (an expired entry no longer matters: the session has ended anyway). */
export function listRevokes(data: Record<string, string> | undefined, sessionId: string, now: number): boolean {
  const until = data?.[sessionId];
  return until !== undefined && Number(until) > now;
}

// This replica's own revocations count before its watch has seen them, and when the API is down.
const globalKey = Symbol.for('meshdeck.revokedHere');
const revokedHere = (): Map<string, number> => ((globalThis as typeof globalThis & { [globalKey]?: Map<string, number> })[globalKey] ??= new Map());

// Every session read checks the list: say once a minute that it cannot be read, not every time.
let lastWarning = 0;
function warnUnreadable(reason: string): void {
  if (Date.now() - lastWarning < 60_000) return;
  lastWarning = Date.now();
  console.warn(`session revocations unreadable, only this replica's sign-outs apply: ${reason}`);
}

async function revocationList(): Promise<ConfigMap | undefined> {
  const cache = cacheFor<ConfigMap>(configMaps, { labelSelector: `${REVOCATION_LABEL}=true` });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new ApiError(503, 'revocation list not read in time', 'ServiceUnavailable')), FIRST_LIST_WAIT_MS).unref());
  return (await Promise.race([cache, timeout])).get(meshdeckNamespace(), REVOCATION_CONFIGMAP);
}

/**
 * Whether the session was signed out, here or on any replica. When the cluster cannot be read
 * it answers from this replica's own sign-outs (and says so in the log) rather than locking
 * everyone out of a dashboard that shows its own cluster error.
 */
export async function isRevoked(sessionId: string, now = Math.floor(Date.now() / 1000)): Promise<boolean> {
  const here = revokedHere().get(sessionId);
  if (here !== undefined && here > now) return true;
  if (!kubeConnection().configured) return false;
  try {
    return listRevokes((await revocationList())?.data, sessionId, now);
  } catch (error) {
    warnUnreadable(toApiError(error).message);
    return false;
  }
}

/** Records a signed-out session in the cluster until `endsAt` (unix seconds), creating the ConfigMap if needed. */
export async function revokeSession(sessionId: string, endsAt: number, now = Math.floor(Date.now() / 1000)): Promise<void> {
  revokedHere().set(sessionId, endsAt);
  for (const [id, until] of revokedHere()) if (until <= now) revokedHere().delete(id);
  const namespace = meshdeckNamespace();
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await kubeRequest<ConfigMap>({ path: objectPath(configMaps, namespace, REVOCATION_CONFIGMAP) }).catch((error: unknown) => {
      if (toApiError(error).status === 404) return undefined;
      throw error;
    });
    try {
      if (current) {
        await kubeRequest({ method: 'PATCH', path: objectPath(configMaps, namespace, REVOCATION_CONFIGMAP), contentType: 'application/merge-patch+json', body: revocationPatch(current.data, sessionId, endsAt, now) });
      } else {
        const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: REVOCATION_CONFIGMAP, namespace, labels: { [REVOCATION_LABEL]: 'true', 'app.kubernetes.io/managed-by': 'meshdeck' } }, data: { [sessionId]: String(endsAt) } };
        await kubeRequest({ method: 'POST', path: collectionPath(configMaps, namespace), body });
      }
      return;
    } catch (error) {
      // Another replica created it (409) or deleted it (404) meanwhile: read again and retry.
      const status = toApiError(error).status;
      if (status !== 409 && status !== 404) throw error;
    }
  }
  throw new ApiError(409, 'The session revocation list kept changing; sign out again', 'Conflict');
}
