import { queryOptions } from '@tanstack/react-query';
import { fetchJson } from '@/lib/queries/fetch-json';
import { queryKeys } from '@/lib/queries/keys';
import { pushedQuery } from '@/lib/queries/live-status';
import type { ClusterAccess } from './cluster-denial';

/** The signed-in person's RBAC on the mesh kinds per visible namespace (GET /api/auth/access); the server caches reviews ~30 s. */
export const clusterAccessQuery = () =>
  queryOptions({
    queryKey: queryKeys.shell.access(),
    queryFn: () => fetchJson<ClusterAccess>('/api/auth/access'),
    // Pushed: the server reads the person's RBAC again every minute and sends it when it changed.
    ...pushedQuery,
    retry: false,
  });
