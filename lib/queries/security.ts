import { queryOptions } from '@tanstack/react-query';
import type { EmergencyState } from '@/lib/mesh/emergency';
import type { securityView } from '@/lib/k8s/security';
import type { Decision } from '@/lib/mesh/authz';
import type { ServiceSecurityLive } from '@/lib/metrics/security';
import type { RevertArming } from '@/lib/security/emergency-reconciler';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';

export type SecurityView = Awaited<ReturnType<typeof securityView>>;
const ns = (namespace: string) => (namespace ? `?namespace=${encodeURIComponent(namespace)}` : '');

export const securityQuery = (namespace: string) =>
  queryOptions({
    queryKey: queryKeys.security.list(namespace),
    queryFn: () => fetchJson<SecurityView>(`/api/security${ns(namespace)}`),
    refetchInterval: 2000,
  });
export const securityLiveQuery = (namespace: string) =>
  queryOptions({
    queryKey: queryKeys.security.live(namespace),
    queryFn: () => fetchJson<{ services: ServiceSecurityLive[] }>(`/api/security/live${ns(namespace)}`),
    refetchInterval: 10_000,
    retry: false,
  });
export const emergenciesQuery = () =>
  queryOptions({
    queryKey: queryKeys.security.emergencies(),
    queryFn: () => fetchJson<{ items: EmergencyState[]; revert: RevertArming }>('/api/security/emergencies'),
    refetchInterval: 3000,
  });

const post = <T>(url: string, body: unknown, method = 'POST') => fetchJson<T>(url, { method, body: JSON.stringify(body) });
export const startEmergency = (namespace: string, body: { confirm: string; reason: string; minutes: number }) =>
  post(`/api/security/emergency/${encodeURIComponent(namespace)}/start`, body);
export const restoreEmergency = (namespace: string, reason: string) => post(`/api/security/emergency/${encodeURIComponent(namespace)}/restore`, { reason });
export const extendEmergency = (namespace: string, minutes: number, reason: string) =>
  post<{ item: EmergencyState & { previousRevertAt: string; capped: boolean; message: string } }>(
    `/api/security/emergency/${encodeURIComponent(namespace)}/extend`,
    { minutes, reason },
  );
export const evaluateCaller = (body: unknown) => post<{ decision: Decision; policies: string[] }>('/api/security/evaluate', body);
export const putTokenBucket = (namespace: string, name: string, index: number, body: unknown) =>
  post(`/api/security/rate-limits/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${index}`, body, 'PUT');
