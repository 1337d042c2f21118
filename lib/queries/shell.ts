import { queryOptions } from '@tanstack/react-query';
import type { ClusterStatus } from '@/lib/k8s/cluster';
import type { NamespaceSummary } from '@/lib/k8s/namespaces';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';

export const clusterQuery = () =>
  queryOptions({
    queryKey: queryKeys.shell.cluster(),
    queryFn: () => fetchJson<ClusterStatus>('/api/cluster'),
    refetchInterval: 15_000,
  });

export const namespacesQuery = () =>
  queryOptions({
    queryKey: queryKeys.shell.namespaces(),
    queryFn: () => fetchJson<{ items: NamespaceSummary[] }>('/api/namespaces').then((r) => r.items),
    refetchInterval: 30_000,
    retry: false,
  });
