// Signed-out sessions, kept in the cluster so that every replica refuses them: one ConfigMap per
// signed-out session in Meshdeck's namespace (`meshdeck-revoked-<session id>`, labelled, with the
// time the session would have ended), read through a label-selected watch cache. Each sign-out
// only creates (replicas never contend for one object, and no ConfigMap is ever updated); the
// ones whose session has ended anyway are deleted by uid on the next sign-out.
import { ownNamespace } from '@/lib/env';
import { cacheFor } from '@/lib/k8s/caches';
import { ApiError, toApiError } from '@/lib/k8s/errors';
import { kubeRequest } from '@/lib/k8s/http';
import { kubeConnection } from '@/lib/k8s/kube-config';
import type { KubeObject } from '@/lib/k8s/resource-cache';
import { collectionPath, configMaps, objectPath } from '@/lib/k8s/resources';

export const REVOCATION_LABEL = 'meshdeck.io/revoked-session';
// A check waits this long for the cache's first list before falling back to this replica's memory.
const FIRST_LIST_WAIT_MS = 2_000;

interface RevocationConfigMap extends KubeObject {
  metadata: { name: string; namespace: string; uid?: string };
  data?: { endsAt?: string };
}

/** Meshdeck's own namespace (its Lease, the revocations). */
export const meshdeckNamespace = ownNamespace;

/** The ConfigMap name for a session id (a UUID, so always a valid name). */
export const revocationName = (sessionId: string) => `meshdeck-revoked-${sessionId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;

/** Whether a revocation still matters: after its session would have ended, it does not. */
export const stillRevokes = (object: RevocationConfigMap | undefined, now: number) => object !== undefined && Number(object.data?.endsAt) > now;

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

async function revocations() {
  const cache = cacheFor<RevocationConfigMap>(configMaps, { labelSelector: `${REVOCATION_LABEL}=true` });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new ApiError(503, 'revocation list not read in time', 'ServiceUnavailable')), FIRST_LIST_WAIT_MS).unref(),
  );
  return Promise.race([cache, timeout]);
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
    return stillRevokes((await revocations()).get(meshdeckNamespace(), revocationName(sessionId)), now);
  } catch (error) {
    warnUnreadable(toApiError(error).message);
    return false;
  }
}

/** Records a signed-out session in the cluster until `endsAt` (unix seconds), and deletes the revocations that no longer matter. */
export async function revokeSession(sessionId: string, endsAt: number, now = Math.floor(Date.now() / 1000)): Promise<void> {
  revokedHere().set(sessionId, endsAt);
  for (const [id, until] of revokedHere()) if (until <= now) revokedHere().delete(id);
  const namespace = meshdeckNamespace();
  const body = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: revocationName(sessionId), namespace, labels: { [REVOCATION_LABEL]: 'true', 'app.kubernetes.io/managed-by': 'meshdeck' } },
    data: { endsAt: String(endsAt) },
  };
  await kubeRequest({ method: 'POST', path: collectionPath(configMaps, namespace), body }).catch((error: unknown) => {
    if (toApiError(error).status !== 409) throw error; // already signed out (another tab)
  });
  const ended = (await revocations()).list(namespace).filter((object) => !stillRevokes(object, now));
  await Promise.all(
    ended.map((object) =>
      kubeRequest({
        method: 'DELETE',
        path: objectPath(configMaps, namespace, object.metadata.name),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: object.metadata.uid } },
      }).catch((error: unknown) => {
        // Another replica deleted it first (404), or it is another object by now (409).
        if (![404, 409].includes(toApiError(error).status)) throw error;
      }),
    ),
  );
}
