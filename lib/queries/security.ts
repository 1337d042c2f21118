import { queryOptions, type QueryClient } from '@tanstack/react-query';
import type { EmergencyState } from '@/lib/mesh/emergency';
import type { securityView } from '@/lib/k8s/security';
import type { Decision } from '@/lib/mesh/authz';
import type { ServiceSecurityLive } from '@/lib/metrics/security';
import type { RevertArming } from '@/lib/security/emergency-reconciler';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';
import { pushedQuery } from './live-status';
import { metricsPolling } from './metrics-refresh';

export type SecurityView = Awaited<ReturnType<typeof securityView>>;
const ns = (namespace: string) => (namespace ? `?namespace=${encodeURIComponent(namespace)}` : '');

export const securityQuery = (namespace: string) =>
  queryOptions({
    queryKey: queryKeys.security.list(namespace),
    queryFn: () => fetchJson<SecurityView>(`/api/security${ns(namespace)}`),
    ...pushedQuery,
  });
/** Prometheus: polled at the refresh the person picked (useMetricsRefresh). */
export const securityLiveQuery = (namespace: string, refreshSeconds: number) =>
  queryOptions({
    queryKey: queryKeys.security.live(namespace),
    queryFn: () => fetchJson<{ services: ServiceSecurityLive[] }>(`/api/security/live${ns(namespace)}`),
    ...metricsPolling(refreshSeconds),
    retry: false,
  });
export const emergenciesQuery = () =>
  queryOptions({
    queryKey: queryKeys.security.emergencies(),
    queryFn: () => fetchJson<{ items: EmergencyState[]; revert: RevertArming }>('/api/security/emergencies'),
    ...pushedQuery,
  });

const post = <T>(url: string, body: unknown, method = 'POST') => fetchJson<T>(url, { method, body: JSON.stringify(body) });

/** Where an emergency action goes (POST; `?dryRun=true` previews it). */
export const emergencyUrl = (namespace: string, action: 'start' | 'extend' | 'restore') => `/api/security/emergency/${encodeURIComponent(namespace)}/${action}`;

/** What an extension answers: the emergency with its previous deadline and whether 24 hours capped it. */
export type ExtendedEmergency = EmergencyState & { previousRevertAt: string; capped: boolean; message: string };

/**
 * Puts an emergency action's answer into the cached list of emergencies (an undefined item: the
 * namespace's emergency ended), and has the Security answers read again for the new mTLS mode.
 */
export function storeEmergency(client: QueryClient, namespace: string, item: EmergencyState | undefined): void {
  client.setQueryData<{ items: EmergencyState[]; revert: RevertArming }>(queryKeys.security.emergencies(), (list) =>
    list ? { ...list, items: [...list.items.filter((e) => e.namespace !== namespace), ...(item ? [item] : [])] } : list,
  );
  void client.invalidateQueries({ queryKey: queryKeys.security.lists });
}
export const evaluateCaller = (body: unknown) => post<{ decision: Decision; policies: string[] }>('/api/security/evaluate', body);
/** Where a token bucket edit goes (PUT; `?dryRun=true` previews it). */
export const tokenBucketUrl = (namespace: string, name: string, index: number) =>
  `/api/security/rate-limits/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${index}`;

/**
 * Puts a token bucket a write answered with into every cached Security answer that shows it; the
 * other buckets of the same EnvoyFilter get its new resourceVersion (one object, one version).
 */
export function storeTokenBucket(client: QueryClient, item: SecurityView['rateLimits'][number]): void {
  const sameFilter = (b: { namespace: string; name: string }) => b.namespace === item.namespace && b.name === item.name;
  client.setQueriesData<SecurityView>({ queryKey: queryKeys.security.lists }, (view) =>
    view
      ? {
          ...view,
          rateLimits: view.rateLimits.map((b) => (sameFilter(b) ? (b.bucket === item.bucket ? item : { ...b, resourceVersion: item.resourceVersion }) : b)),
        }
      : view,
  );
}
