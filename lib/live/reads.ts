// The reads behind the GET routes that the live stream also serves: one function per view, so a
// page's first load and every pushed update are made, and filtered by the cluster's RBAC, alike.
import { clusterAccess, visibleAnswer, visibleNamespaces } from '@/lib/auth/cluster-access';
import type { SessionUser } from '@/lib/auth/session';
import { readMeshdeckConfig } from '@/lib/config/reader';
import { effectiveConfig } from '@/lib/config/schema';
import { cacheFor } from '@/lib/k8s/caches';
import { probeCluster } from '@/lib/k8s/cluster';
import { listNamespaces } from '@/lib/k8s/namespaces';
import { resilienceView } from '@/lib/k8s/resilience';
import { peerAuthentications } from '@/lib/k8s/resources';
import { securityView } from '@/lib/k8s/security';
import { listVirtualServiceViews } from '@/lib/k8s/virtual-services';
import { emergencyOf, type EmergencyState } from '@/lib/mesh/emergency';
import type { PeerAuthentication } from '@/lib/mesh/security-types';
import { revertArming } from '@/lib/security/emergency-reconciler';
import type { Topic } from './topics';

/** Every VirtualService (in one namespace, or all) as the Traffic page shows it. */
export const readTraffic = (user: SessionUser, namespace?: string) =>
  // Its items are made as the answer is streamed (json()); visibleAnswer makes them an array when it filters.
  visibleAnswer(user, namespace, async () => {
    // Each namespace's canary rule from the mesh configuration: one definition on every page.
    const config = effectiveConfig(await readMeshdeckConfig());
    return listVirtualServiceViews(namespace, (ns) => config.canaryFor(ns).versions);
  });

/** Every DestinationRule's traffic policy and the routes' timeouts and retries (one namespace, or all). */
export const readResilience = (user: SessionUser, namespace?: string) => visibleAnswer(user, namespace, () => resilienceView(namespace));

/** mTLS per scope and workload, conflicts, emergencies, JWT, authorization, rate limits. */
export const readSecurity = (user: SessionUser, namespace?: string) => visibleAnswer(user, namespace, () => securityView(namespace));

/** Active emergencies and whether their automatic revert is armed, for the banner on every page. */
export async function readEmergencies() {
  const [cache, revert] = await Promise.all([cacheFor<PeerAuthentication>(peerAuthentications), revertArming()]);
  return {
    items: cache
      .list()
      .map(emergencyOf)
      .filter((e): e is EmergencyState => Boolean(e)),
    revert,
  };
}

/** The cluster's namespaces, from the watch-backed cache; only those the cluster lets the person see. */
export async function readNamespaces(user: SessionUser) {
  const items = await listNamespaces();
  const visible = new Set(
    await visibleNamespaces(
      user,
      items.map((ns) => ns.name),
    ),
  );
  return { items: items.filter((ns) => visible.has(ns.name)) };
}

/** What the cluster's RBAC lets the signed-in person do on the mesh kinds, per namespace they can see. */
export async function readAccess(user: SessionUser, namespace?: string) {
  const names = namespace ? [namespace] : (await listNamespaces()).map((ns) => ns.name);
  return clusterAccess(user, names);
}

/** Which cluster and context the server talks to, and whether it answers. */
export const readCluster = () => probeCluster();

/** A topic's payload: what the matching GET route answers, for the same person. */
export function readTopic(user: SessionUser, topic: Topic): Promise<unknown> {
  const namespace = topic.namespace || undefined;
  switch (topic.kind) {
    case 'traffic':
      return readTraffic(user, namespace);
    case 'resilience':
      return readResilience(user, namespace);
    case 'security':
      return readSecurity(user, namespace);
    case 'emergencies':
      return readEmergencies();
    case 'namespaces':
      return readNamespaces(user);
    case 'cluster':
      return readCluster();
    case 'access':
      return readAccess(user);
  }
}
