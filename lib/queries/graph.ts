import { queryOptions } from '@tanstack/react-query';
import type { GraphWindow, GroupBy, MeshGraph } from '@/lib/mesh/graph';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';

export interface GraphParams {
  /** One namespace, or "" for every namespace. */
  namespace: string;
  window: GraphWindow;
  groupBy: GroupBy;
  /** Ask again every this many milliseconds; false: paused. */
  refetchInterval: number | false;
}

/** The service graph as /api/graph answers it (lib/mesh/graph.ts MeshGraph). */
export const graphQuery = (p: GraphParams) =>
  queryOptions({
    queryKey: queryKeys.graph.view(p.namespace, p.window, p.groupBy),
    queryFn: () => fetchJson<MeshGraph>(`/api/graph?${new URLSearchParams({ namespaces: p.namespace, window: p.window, groupBy: p.groupBy })}`),
    refetchInterval: p.refetchInterval,
    // A changed window or grouping keeps the last picture on screen until the new one arrives.
    placeholderData: (previous) => previous,
  });
