// The reads behind the GET routes that the live stream also serves: one function per view, so a
// page's first load and every pushed update are made, and filtered by the cluster's RBAC, alike.
import { listAudit, pendingCount, signingState, type AuditFilter } from '@/lib/audit/audit';
import { ensureAuditRetention, retentionStatus } from '@/lib/audit/retention';
import { canList, clusterAccess, MESH_KINDS, visibleAnswer, visibleNamespaces } from '@/lib/auth/cluster-access';
import { impersonationFor, type SessionUser } from '@/lib/auth/session';
import { readMeshdeckConfig } from '@/lib/config/reader';
import { effectiveConfig } from '@/lib/config/schema';
import { clusterAnalysis } from '@/lib/k8s/analysis';
import { cacheFor } from '@/lib/k8s/caches';
import { probeCluster } from '@/lib/k8s/cluster';
import { listNamespaces } from '@/lib/k8s/namespaces';
import { resilienceView } from '@/lib/k8s/resilience';
import { listRollouts } from '@/lib/k8s/rollouts';
import { peerAuthentications } from '@/lib/k8s/resources';
import { securityView } from '@/lib/k8s/security';
import { listVirtualServiceViews } from '@/lib/k8s/virtual-services';
import { emergencyOf, type EmergencyState } from '@/lib/mesh/emergency';
import { codeInfo } from '@/lib/analysis/codes';
import { findingRows, validationView, type ValidationFilter } from '@/lib/mesh/validation';
import { breakerLive } from '@/lib/metrics/resilience';
import { securityLive } from '@/lib/metrics/security';
import { trafficLive } from '@/lib/metrics/traffic-live-source';
import { overview } from '@/lib/overview/health';
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

/**
 * The Traffic page's live numbers from Prometheus: requests/s, 5xx share, P99 and a sparkline per
 * service version, with the version each DestinationRule subset selects.
 */
export const readTrafficLive = (user: SessionUser, namespace?: string) => visibleAnswer(user, namespace, () => trafficLive(namespace));

/** Every DestinationRule's traffic policy and the routes' timeouts and retries (one namespace, or all). */
export const readResilience = (user: SessionUser, namespace?: string) => visibleAnswer(user, namespace, () => resilienceView(namespace));

/** Live breaker state per service, failures by response flag over the last 30 minutes, and which Envoy stats are missing. */
export const readResilienceLive = (user: SessionUser, namespace?: string) => visibleAnswer(user, namespace, () => breakerLive(namespace));

/** mTLS per scope and workload, conflicts, emergencies, JWT, authorization, rate limits. */
export const readSecurity = (user: SessionUser, namespace?: string) => visibleAnswer(user, namespace, () => securityView(namespace));

/** Live numbers from Prometheus: the mTLS share and 429s per service (namespace and name), one query. */
export const readSecurityLive = (user: SessionUser, namespace?: string) =>
  visibleAnswer(user, namespace, async () => ({ services: await securityLive(namespace) }));

/**
 * The audit trail of every namespace (or one), newest first, filtered, with how far it can be
 * trusted; only entries about namespaces the cluster lets the person see.
 */
export const readAudit = (user: SessionUser, filter: AuditFilter) =>
  visibleAnswer(user, filter.namespace, async () => {
    ensureAuditRetention();
    const entries = await listAudit(filter);
    // Entries name their object's namespace under `resource`, which the generic filter does not look into.
    const visible = new Set(await visibleNamespaces(user, [...new Set(entries.map((e) => e.resource.namespace))]));
    return {
      items: entries.filter((e) => visible.has(e.resource.namespace)),
      signing: signingState(),
      retention: await retentionStatus(),
      pending: pendingCount(),
    };
  });

/**
 * The Overview's health table: per namespace the person may see (or the one asked for), RED
 * numbers, firing alerts, active emergencies, recent changes and object counts.
 */
export const readOverview = (user: SessionUser, namespace?: string) =>
  visibleAnswer(user, namespace, async () => {
    const items = await listNamespaces();
    const visible = new Set(
      await visibleNamespaces(
        user,
        items.map((ns) => ns.name),
      ),
    );
    return overview(
      items.filter((ns) => visible.has(ns.name)),
      namespace,
    );
  });

/** Every rollout recorded on a VirtualService (one namespace, or all) and whether the rollout controller is armed. */
export const readRollouts = (user: SessionUser, namespace?: string) => visibleAnswer(user, namespace, () => listRollouts(namespace));

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

/**
 * The configuration analysis' findings (one namespace, or all the person can see; optionally one
 * level, code or kind), with counts per level, the codes' catalogue entries and the kinds not
 * analyzed. Findings on cluster-scoped objects only for those who may list mesh kinds cluster-wide.
 */
export const readValidation = (user: SessionUser, filter: ValidationFilter) =>
  visibleAnswer(user, filter.namespace, async () => {
    const analysis = await clusterAnalysis();
    const rows = findingRows(analysis.findings(), filter);
    const clusterWide = !impersonationFor(user) || (await Promise.all(MESH_KINDS.map((kind) => canList(user, kind)))).some(Boolean);
    const visible = new Set(await visibleNamespaces(user, [...new Set(rows.flatMap((row) => (row.namespace ? [row.namespace] : [])))]));
    const status = analysis.status();
    const view = validationView(
      rows.filter((row) => (row.namespace === undefined ? clusterWide : visible.has(row.namespace))),
      status.notLoaded,
      { synced: status.synced, objects: status.objects, ...(status.lastError ? { lastError: status.lastError } : {}) },
      codeInfo,
    );
    // Rows written as the answer is streamed (json()), not joined into one string first: a large
    // cluster's findings run to megabytes. visibleAnswer and the live topic make them an array again.
    return { ...view, items: view.items.values() };
  });

/** A topic's payload: what the matching GET route answers, for the same person. */
export function readTopic(user: SessionUser, topic: Topic): Promise<unknown> {
  const namespace = topic.namespace || undefined;
  switch (topic.kind) {
    case 'traffic':
      return readTraffic(user, namespace);
    case 'traffic-live':
      return readTrafficLive(user, namespace);
    case 'resilience-live':
      return readResilienceLive(user, namespace);
    case 'security-live':
      return readSecurityLive(user, namespace);
    case 'audit':
      return readAudit(user, { namespace });
    case 'validation':
      return readValidation(user, { namespace });
    case 'overview':
      return readOverview(user, namespace);
    case 'resilience':
      return readResilience(user, namespace);
    case 'security':
      return readSecurity(user, namespace);
    case 'rollouts':
      return readRollouts(user, namespace);
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
