import { z } from 'zod';
import { durationNanos } from '@/lib/mesh/duration';

// Jaeger reads minDuration and maxDuration with Go's time.ParseDuration: the one duration parser's syntax.
const duration = z
  .string()
  .max(40)
  .refine((text) => (durationNanos(text) ?? -1n) >= 0n, 'must be a duration such as 500ms, 2s or 1m30s')
  .optional();

export const traceSearchQuery = z.object({
  service: z.string().min(1, 'choose a service').max(200),
  operation: z.string().max(500).optional(),
  tags: z
    .string()
    .max(2000)
    .optional()
    .transform((raw, ctx) => {
      if (!raw) return undefined;
      try {
        const parsed = JSON.parse(raw) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string'))
          return parsed as Record<string, string>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'tags must be a JSON object of strings, e.g. {"error":"true"}' });
      return z.NEVER;
    }),
  lookback: z.enum(['5m', '15m', '1h', '6h', '24h']).optional(),
  start: z.coerce.number().int().positive().optional(),
  end: z.coerce.number().int().positive().optional(),
  /** Without a lookback or a start, the default search sized by the service's traffic takes AUTO_LIMIT (50). */
  limit: z.coerce.number().int().min(1).max(200).optional(),
  minDuration: duration,
  maxDuration: duration,
});

export const traceId = z.string().regex(/^[0-9a-f]{1,32}$/i, 'is not a trace id (hex digits)');
