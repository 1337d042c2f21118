import { z } from 'zod';
import { GROUP_BYS, parseEdgeId, parseNodeId } from '@/lib/mesh/graph';

/** The side panel's chart ranges: the last 15 minutes or the last hour. */
export const GRAPH_SERIES_RANGES = { '15m': 900, '1h': 3600 } as const;

/** `?id=<node or edge id>&groupBy=version&range=15m|1h` for GET /api/graph/series. */
export const graphSeriesQuery = z
  .object({
    id: z
      .string()
      .max(2000, 'must be at most 2000 characters')
      .refine(
        (id) => Boolean(parseEdgeId(id) ?? parseNodeId(id)),
        'must be a node id (kind|namespace|name|version) or an edge id (source->target|protocol) of /api/graph',
      ),
    groupBy: z.enum(GROUP_BYS, { message: `must be one of ${GROUP_BYS.join(', ')} (the graph's groupBy)` }).default('version'),
    range: z.enum(['15m', '1h'], { message: 'must be 15m or 1h' }).default('15m'),
  })
  .transform((q) => ({ ...q, seconds: GRAPH_SERIES_RANGES[q.range] }));
