// The Overview: per namespace, its RED numbers, firing alerts, active emergencies, recent
// changes and how many mesh objects it holds. Each source is read on its own and may fail on
// its own (Prometheus down is not the page down); `namespaceHealth` folds them, purely.
import type { AuditView } from '@/lib/audit/audit';
import { listAudit } from '@/lib/audit/audit';
import { toApiError } from '@/lib/k8s/errors';
import { cacheFor } from '@/lib/k8s/caches';
import type { NamespaceSummary } from '@/lib/k8s/namespaces';
import type { KubeObject } from '@/lib/k8s/resource-cache';
import { authorizationPolicies, destinationRules, peerAuthentications, requestAuthentications, virtualServices } from '@/lib/k8s/resources';
import { emergencyOf, type EmergencyState } from '@/lib/mesh/emergency';
import type { PeerAuthentication } from '@/lib/mesh/security-types';
import { firingAlerts, namespaceRed, OVERVIEW_WINDOW, type FiringAlert, type NamespaceRed } from '@/lib/metrics/overview';

/** What one source gave: its data, or why there is none (status and a message to show). */
export type SourceResult<T> = { data: T } | { error: { status: number; message: string } };

/** Reads one source; a failure becomes its error, never the whole answer's. */
export async function readSource<T>(load: () => Promise<T>): Promise<SourceResult<T>> {
  return load().then(
    (data) => ({ data }),
    (error: unknown) => {
      const { status, message } = toApiError(error);
      return { error: { status, message } };
    },
  );
}

/** How many objects of each page's kinds a namespace holds. */
export interface ObjectCounts {
  virtualServices: number;
  destinationRules: number;
  policies: number;
}

/** A change from the audit trail, as the Overview shows it. */
export type RecentChange = Pick<AuditView, 'id' | 'time' | 'user' | 'action' | 'summary' | 'result'>;

/** One row of the Overview: a namespace and what each source says about it (null: that source failed). */
export interface NamespaceHealth {
  namespace: string;
  sidecarInjection: boolean;
  /** null when Prometheus could not answer; `rate: 0` when it answered and nothing was served. */
  red: NamespaceRed | null;
  alerts: FiringAlert[] | null;
  emergencies: EmergencyState[] | null;
  /** Changes within RECENT_HOURS, newest first (at most RECENT_LIMIT), and how many there were. */
  changes: { count: number; latest: RecentChange[] } | null;
  objects: ObjectCounts | null;
}

export const RECENT_HOURS = 24;
export const RECENT_LIMIT = 5;

export interface OverviewSources {
  red: SourceResult<NamespaceRed[]>;
  alerts: SourceResult<FiringAlert[]>;
  emergencies: SourceResult<EmergencyState[]>;
  audit: SourceResult<AuditView[]>;
  objects: SourceResult<(ObjectCounts & { namespace: string })[]>;
}

export interface OverviewAnswer {
  /** The rate window of the RED numbers, e.g. "5m". */
  window: string;
  namespaces: NamespaceHealth[];
  /** Firing alerts that name no namespace (cluster-wide ones); null when Prometheus could not answer. */
  unscopedAlerts: FiringAlert[] | null;
  /** Why a source is missing, by source; absent when it answered. */
  problems: Partial<Record<keyof OverviewSources, string>>;
}

const groupBy = <T>(items: T[], key: (item: T) => string | undefined) => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) (groups.get(k) ?? groups.set(k, []).get(k)!).push(item);
  }
  return groups;
};

/** Folds the sources into one row per namespace (those given, in their order). Pure. */
export function namespaceHealth(namespaces: Pick<NamespaceSummary, 'name' | 'sidecarInjection'>[], sources: OverviewSources, now: number): OverviewAnswer {
  const dataOf = <T>(result: SourceResult<T>) => ('data' in result ? result.data : null);
  const red = dataOf(sources.red);
  const alerts = dataOf(sources.alerts);
  const emergencies = dataOf(sources.emergencies);
  const audit = dataOf(sources.audit);
  const objects = dataOf(sources.objects);
  const redBy = new Map((red ?? []).map((r) => [r.namespace, r]));
  const alertsBy = groupBy(alerts ?? [], (a) => a.namespace);
  const emergenciesBy = groupBy(emergencies ?? [], (e) => e.namespace);
  const since = new Date(now - RECENT_HOURS * 3600_000).toISOString();
  // The trail comes newest first.
  const changesBy = groupBy(
    (audit ?? []).filter((e) => e.time >= since),
    (e) => e.resource.namespace,
  );
  const objectsBy = new Map((objects ?? []).map(({ namespace, ...counts }) => [namespace, counts]));
  const none: ObjectCounts = { virtualServices: 0, destinationRules: 0, policies: 0 };
  const problems: OverviewAnswer['problems'] = {};
  for (const [name, result] of Object.entries(sources) as [keyof OverviewSources, SourceResult<unknown>][])
    if ('error' in result) problems[name] = result.error.message;
  return {
    window: OVERVIEW_WINDOW,
    namespaces: namespaces.map(({ name, sidecarInjection }) => {
      const changes = changesBy.get(name) ?? [];
      return {
        namespace: name,
        sidecarInjection,
        red: red ? (redBy.get(name) ?? { namespace: name, rate: 0, errorRatio: 0, p99: null }) : null,
        alerts: alerts ? (alertsBy.get(name) ?? []) : null,
        emergencies: emergencies ? (emergenciesBy.get(name) ?? []) : null,
        changes: audit
          ? {
              count: changes.length,
              latest: changes.slice(0, RECENT_LIMIT).map(({ id, time, user, action, summary, result }) => ({ id, time, user, action, summary, result })),
            }
          : null,
        objects: objects ? (objectsBy.get(name) ?? none) : null,
      };
    }),
    unscopedAlerts: alerts ? alerts.filter((a) => a.namespace === undefined) : null,
    problems,
  };
}

async function activeEmergencies(): Promise<EmergencyState[]> {
  return (await cacheFor<PeerAuthentication>(peerAuthentications))
    .list()
    .map(emergencyOf)
    .filter((e): e is EmergencyState => Boolean(e));
}

/** Objects per namespace of the Traffic (VirtualServices), Resilience (DestinationRules) and Security (policies) pages. */
async function objectCounts(): Promise<(ObjectCounts & { namespace: string })[]> {
  const [vs, dr, pa, ra, ap] = await Promise.all(
    [virtualServices, destinationRules, peerAuthentications, requestAuthentications, authorizationPolicies].map((d) => cacheFor<KubeObject>(d)),
  );
  const counts = new Map<string, ObjectCounts & { namespace: string }>();
  const add = (cache: typeof vs, field: keyof ObjectCounts) => {
    for (const object of cache!.list()) {
      const namespace = object.metadata?.namespace ?? '';
      const row = counts.get(namespace) ?? counts.set(namespace, { namespace, virtualServices: 0, destinationRules: 0, policies: 0 }).get(namespace)!;
      row[field]++;
    }
  };
  add(vs, 'virtualServices');
  add(dr, 'destinationRules');
  for (const policies of [pa, ra, ap]) add(policies, 'policies');
  return [...counts.values()];
}

/**
 * The Overview of the given namespaces (already limited to what the person may see): every
 * source read at once from the watch caches and Prometheus, each allowed to fail alone.
 */
export async function overview(namespaces: NamespaceSummary[], namespace?: string, now = Date.now()): Promise<OverviewAnswer> {
  const [red, alerts, emergencies, audit, objects] = await Promise.all([
    readSource(() => namespaceRed(namespace)),
    readSource(firingAlerts),
    readSource(activeEmergencies),
    readSource(() => listAudit({ namespace })),
    readSource(objectCounts),
  ]);
  const shown = namespace ? namespaces.filter((ns) => ns.name === namespace) : namespaces;
  return namespaceHealth(shown, { red, alerts, emergencies, audit, objects }, now);
}
