import { z } from 'zod';
import { RANGES } from '@/lib/metrics/promql';
import { namespaceName } from './param-schemas';

/** range=15m|1h|6h|24h, or custom from/to (unix seconds, at most 7 days). */
export const kpiQuery = z
  .object({
    namespace: namespaceName.optional(),
    range: z.enum(['15m', '1h', '6h', '24h', 'custom']).default('1h'),
    from: z.coerce.number().int().positive().optional(),
    to: z.coerce.number().int().positive().optional(),
  })
  .refine((q) => q.range !== 'custom' || (q.from !== undefined && q.to !== undefined && q.to > q.from && q.to - q.from <= 7 * 86400), {
    path: ['from'],
    message: 'a custom range needs from < to (unix seconds), at most 7 days apart',
  })
  .transform((q) => {
    const end = q.range === 'custom' ? q.to! : Math.floor(Date.now() / 1000);
    const seconds = q.range === 'custom' ? q.to! - q.from! : RANGES[q.range];
    return { namespace: q.namespace, seconds, end };
  });
