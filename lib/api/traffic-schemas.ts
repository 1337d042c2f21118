// Request bodies of the traffic API, validated before anything reaches the cluster.
import { z } from 'zod';
import { matchProblems } from '@/lib/mesh/match';
import { indexParam, objectName as kubeName } from './param-schemas';

export const routeParams = z.object({
  namespace: kubeName,
  name: kubeName,
  index: indexParam(999),
});

export const reason = z.string().trim().min(3, 'say why you make this change (at least 3 characters)').max(500);

/** Every write names the resourceVersion it was based on (a moved object answers 409) and says why. */
const write = { resourceVersion: z.string().min(1, 'is required: send the resourceVersion the change is based on'), reason };
const destination = {
  host: z.string().min(1).max(253),
  subset: z.string().min(1).max(63).optional(),
  weight: z.int('must be a whole number').min(0, 'must be 0 or more').max(100, 'must be 100 or less'),
};

export const weightsBody = z
  .strictObject({
    ...write,
    weights: z.array(z.strictObject(destination)).min(1).max(32),
  })
  .refine((body) => body.weights.reduce((sum, w) => sum + w.weight, 0) === 100, {
    path: ['weights'],
    error: (issue) => `must add up to 100 (they add up to ${(issue.input as { weights: { weight: number }[] }).weights.reduce((s, w) => s + w.weight, 0)})`,
  });

// Structure here; what Istio would refuse (RE2, header names, port, gateways, labels) in lib/mesh/match.
const stringMatch = z.strictObject({ exact: z.string().max(1000).optional(), prefix: z.string().max(1000).optional(), regex: z.string().max(2000).optional() });
const stringMatches = z.record(z.string().max(256), stringMatch);

export const matchBody = z
  .strictObject({
    ...write,
    match: z
      .array(
        z.strictObject({
          name: z.string().max(253).optional(),
          uri: stringMatch.optional(),
          scheme: stringMatch.optional(),
          method: stringMatch.optional(),
          authority: stringMatch.optional(),
          headers: stringMatches.optional(),
          withoutHeaders: stringMatches.optional(),
          queryParams: stringMatches.optional(),
          ignoreUriCase: z.boolean().optional(),
          sourceLabels: z.record(z.string().max(317), z.string().max(63)).optional(),
          gateways: z.array(z.string().max(317)).max(64).optional(),
          port: z.number().optional(),
          sourceNamespace: z.string().max(63).optional(),
          statPrefix: z.string().max(253).optional(),
        }),
      )
      .max(32),
  })
  .superRefine((body, ctx) => {
    for (const message of matchProblems(body.match)) ctx.addIssue({ code: 'custom', path: ['match'], message });
  });

/** A route's destinations after adding or removing one: the kept ones first as they are, in order. */
export const destinationsBody = z.strictObject({
  ...write,
  destinations: z.array(z.strictObject(destination)).min(1, 'a route needs at least one destination').max(32),
});

export const revertBody = z.strictObject({ reason });
