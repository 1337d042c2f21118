import { z } from 'zod';
import { durationNanos } from '@/lib/mesh/duration';
import { MAX_EMERGENCY_MINUTES } from '@/lib/mesh/emergency';
import { namespaceName } from './param-schemas';
import { reason } from './traffic-schemas';

export { namespaceName };
const minutes = z
  .int('must be whole minutes')
  .min(1, 'must be at least 1 minute')
  .max(MAX_EMERGENCY_MINUTES, `must be at most ${MAX_EMERGENCY_MINUTES} minutes (24 hours)`);

export const emergencyBody = z
  .strictObject({ namespace: namespaceName, confirm: z.string().max(63), reason, minutes: minutes.default(30) })
  .refine((b) => b.confirm === b.namespace, { path: ['confirm'], message: 'type the namespace name exactly to confirm' });

export const extendBody = z.strictObject({ reason, minutes });
export const restoreBody = z.strictObject({ reason });

const count = z
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(2 ** 32 - 1, 'must be at most 4294967295');
/**
 * A token bucket change. The fill interval only has to be a duration here: whether it must be
 * protobuf JSON of at least 50ms depends on the stored value (kept verbatim when unchanged),
 * which validateTokenBucket in lib/mesh/rate-limits checks. `bucket` is the JSON pointer of
 * the bucket from the view, for filters with several (per route, per descriptor).
 */
export const tokenBucketBody = z
  .strictObject({
    resourceVersion: z.string().min(1),
    reason,
    maxTokens: count,
    tokensPerFill: count,
    fillInterval: z
      .string()
      .trim()
      .min(1, 'must be a duration such as 60s or 0.5s')
      .max(50)
      .refine((v) => durationNanos(v) !== undefined, 'must be a duration such as 60s or 0.5s (seconds with an "s", as Envoy reads it)'),
    bucket: z.string().startsWith('/spec/configPatches/', 'must be the JSON pointer of a token bucket, as the security view gives it').max(1000).optional(),
  })
  // Only a valid bucket size says something about the fill.
  .refine((b) => !(b.maxTokens >= 1) || b.tokensPerFill <= b.maxTokens, { path: ['tokensPerFill'], message: 'cannot exceed the bucket size (maxTokens)' });

/** A request to evaluate: who sends it (mTLS identity, source namespace and IP), what it asks, and its JWT. */
export const evaluateBody = z
  .strictObject({
    namespace: namespaceName,
    app: z.string().min(1).max(63),
    /** mTLS principal; empty for a plaintext caller. */
    principal: z.string().max(300).optional(),
    sourceNamespace: z.string().max(63).optional(),
    sourceIp: z.union([z.ipv4(), z.ipv6(), z.literal('')]).optional(),
    /** "<iss>/<sub>" of a JWT; empty for none. */
    requestPrincipal: z
      .string()
      .max(300)
      .refine((v) => v === '' || /.\/./.test(v), 'must be "<issuer>/<subject>", as Istio writes a request principal')
      .optional(),
    audiences: z.array(z.string().min(1).max(300)).max(20).default([]),
    claims: z.record(z.string().max(100), z.union([z.string().max(300), z.array(z.string().max(300)).max(50)])).default({}),
    headers: z.record(z.string().max(100), z.string().max(1000)).default({}),
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'must be an HTTP method such as GET')
      .default('GET'),
    path: z.string().startsWith('/', 'must start with /').max(2000),
    host: z.string().max(253).optional(),
    port: z.int().min(1).max(65535).optional(),
  })
  // The source namespace comes from the caller's certificate: a plaintext caller has none.
  .refine((b) => !b.sourceNamespace || b.principal, {
    path: ['sourceNamespace'],
    message: 'needs a principal: the source namespace comes from the mTLS certificate, which a plaintext caller does not have',
  });
