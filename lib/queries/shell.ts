import { queryOptions } from '@tanstack/react-query';
import type { ClusterStatus } from '@/lib/k8s/cluster';
import type { NamespaceSummary } from '@/lib/k8s/namespaces';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';
import { pushedQuery } from './live-status';

export const clusterQuery = () =>
  queryOptions({
    queryKey: queryKeys.shell.cluster(),
    queryFn: () => fetchJson<ClusterStatus>('/api/cluster'),
    ...pushedQuery,
  });

export const namespacesQuery = () =>
  queryOptions({
    queryKey: queryKeys.shell.namespaces(),
    // The cache holds the answer as /api/namespaces (and the stream) gives it; the page reads the list.
    queryFn: () => fetchJson<{ items: NamespaceSummary[] }>('/api/namespaces'),
    select: (answer) => answer.items,
    ...pushedQuery,
    retry: false,
  });
