import { z } from 'zod';
import { MAX_EMERGENCY_MINUTES } from '@/lib/mesh/emergency';
import { reason } from './traffic-schemas';

export const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name').max(63);
const minutes = z.int('must be whole minutes').min(1, 'must be at least 1 minute').max(MAX_EMERGENCY_MINUTES, `must be at most ${MAX_EMERGENCY_MINUTES} minutes (24 hours)`);

export const emergencyBody = z
  .strictObject({ namespace: namespaceName, confirm: z.string().max(63), reason, minutes: minutes.default(30) })
  .refine((b) => b.confirm === b.namespace, { path: ['confirm'], message: 'type the namespace name exactly to confirm' });

export const extendBody = z.strictObject({ reason, minutes });
export const restoreBody = z.strictObject({ reason });

const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'must be a duration such as 60s, 500ms or 1m');
export const tokenBucketBody = z
  .strictObject({ resourceVersion: z.string().min(1), reason, maxTokens: z.int().min(1, 'must be at least 1').max(1_000_000), tokensPerFill: z.int().min(1, 'must be at least 1').max(1_000_000), fillInterval: duration })
  .refine((b) => b.tokensPerFill <= b.maxTokens, { path: ['tokensPerFill'], message: 'cannot exceed the bucket size (maxTokens)' })
  .refine((b) => {
    // zod runs this even when the field's own format check failed; that error already speaks.
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(b.fillInterval);
    return !m || Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms'] >= 50;
  }, { path: ['fillInterval'], message: 'must be at least 50ms (Envoy refuses shorter fill intervals)' });

export const evaluateBody = z.strictObject({
  namespace: namespaceName,
  app: z.string().min(1).max(63),
  principal: z.string().max(300).optional(),
  sourceNamespace: z.string().max(63).optional(),
  requestPrincipal: z.string().max(300).optional(),
  claims: z.record(z.string().max(100), z.string().max(300)).default({}),
  headers: z.record(z.string().max(100), z.string().max(1000)).default({}),
  method: z.string().regex(/^[A-Z]+$/).default('GET'),
  path: z.string().startsWith('/').max(2000),
});
