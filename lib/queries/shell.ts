import { queryOptions } from '@tanstack/react-query';
import type { ClusterStatus } from '@/lib/k8s/cluster';
import type { NamespaceSummary } from '@/lib/k8s/namespaces';
import { fetchJson } from './fetch-json';

export const clusterQuery = () =>
  queryOptions({
    queryKey: ['cluster'],
    queryFn: () => fetchJson<ClusterStatus>('/api/cluster'),
    refetchInterval: 15_000,
  });

export const namespacesQuery = () =>
  queryOptions({
    queryKey: ['namespaces'],
    queryFn: () => fetchJson<{ items: NamespaceSummary[] }>('/api/namespaces').then((r) => r.items),
    refetchInterval: 30_000,
    retry: false,
  });
