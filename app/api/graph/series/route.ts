import { graphSeriesQuery } from '@/lib/api/graph-series-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { graphSeries, seriesScope, scopeNamespace } from '@/lib/metrics/graph-series';

export const dynamic = 'force-dynamic';

/** The graph side panel's charts of one node or edge: rate, 4xx/5xx share, P50/P95/P99, in one range query. */
export const GET = route({ auth: 'read', query: graphSeriesQuery }, ({ user, query: { id, groupBy, seconds } }) => {
  const scope = seriesScope(id, groupBy)!; // the schema refused ids that are neither a node's nor an edge's
  return visibleAnswer(user!, scopeNamespace(id), () => graphSeries(scope, seconds));
});
