import { graphQuery } from '@/lib/api/graph-schemas';
import { route } from '@/lib/http/route';
import { meshGraph } from '@/lib/k8s/graph';

export const dynamic = 'force-dynamic';

/** The service graph (MeshGraph, lib/mesh/graph.ts): ≤ 4 PromQL queries, decoration from the watch caches. */
export const GET = route({ auth: 'read', query: graphQuery }, ({ query }) => meshGraph(query));
