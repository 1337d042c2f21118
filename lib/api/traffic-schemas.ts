// Request bodies of the traffic API, validated before anything reaches the cluster.
import { z } from 'zod';
import { indexParam } from './param-schemas';

const kubeName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase DNS name').max(253);

export const routeParams = z.object({
  namespace: kubeName,
  name: kubeName,
  index: indexParam(999),
});

export const reason = z.string().trim().min(3, 'say why you make this change (at least 3 characters)').max(500);

export const weightsBody = z
  .strictObject({
    resourceVersion: z.string().min(1, 'is required: send the resourceVersion the change is based on'),
    reason,
    weights: z
      .array(
        z.strictObject({
          host: z.string().min(1).max(253),
          subset: z.string().min(1).max(63).optional(),
          weight: z.int('must be a whole number').min(0, 'must be 0 or more').max(100, 'must be 100 or less'),
        }),
      )
      .min(1)
      .max(32),
  })
  .refine((body) => body.weights.reduce((sum, w) => sum + w.weight, 0) === 100, {
    path: ['weights'],
    error: (issue) => `must add up to 100 (they add up to ${(issue.input as { weights: { weight: number }[] }).weights.reduce((s, w) => s + w.weight, 0)})`,
  });

const headerName = z.string().regex(/^[a-z0-9][a-z0-9-_.]*$/, 'must be a lowercase header name').max(100);
const stringMatch = z
  .strictObject({ exact: z.string().max(1000).optional(), prefix: z.string().max(1000).optional(), regex: z.string().max(1000).optional() })
  .refine((m) => [m.exact, m.prefix, m.regex].filter((v) => v !== undefined).length <= 1, 'use one of exact, prefix or regex')
  .refine((m) => {
    if (m.regex === undefined) return true;
    try {
      new RegExp(m.regex);
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid regular expression');

export const matchBody = z.strictObject({
  resourceVersion: z.string().min(1, 'is required: send the resourceVersion the change is based on'),
  reason,
  match: z
    .array(
      z.strictObject({
        name: z.string().max(100).optional(),
        uri: stringMatch.optional(),
        method: stringMatch.optional(),
        headers: z.record(headerName, stringMatch).optional(),
        withoutHeaders: z.record(headerName, stringMatch).optional(),
        queryParams: z.record(z.string().max(100), stringMatch).optional(),
      }),
    )
    .max(32),
});

export const revertBody = z.strictObject({ reason });
