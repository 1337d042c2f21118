import { queryOptions } from '@tanstack/react-query';
import { fetchJson } from '@/lib/queries/fetch-json';
import { queryKeys } from '@/lib/queries/keys';
import type { ClusterAccess } from './cluster-denial';

/** The signed-in person's RBAC on the mesh kinds per visible namespace (GET /api/auth/access); the server caches reviews ~30 s. */
export const clusterAccessQuery = () =>
  queryOptions({
    queryKey: queryKeys.shell.access(),
    queryFn: () => fetchJson<ClusterAccess>('/api/auth/access'),
    refetchInterval: 60_000,
    staleTime: 30_000,
    retry: false,
  });
