import { z } from 'zod';
import { POLICY_FIELDS } from '@/lib/mesh/resilience';
import { reason } from './traffic-schemas';

export const policyBody = z.strictObject({
  resourceVersion: z.string().min(1),
  reason,
  subset: z.string().max(63).optional(),
  values: z.strictObject(Object.fromEntries(POLICY_FIELDS.map((f) => [f.key, z.string().max(200).optional()]))),
});

export const routeBody = z.strictObject({
  resourceVersion: z.string().min(1),
  reason,
  timeout: z.string().max(50).default(''),
  attempts: z.string().max(10).default(''),
  perTryTimeout: z.string().max(50).default(''),
  retryOn: z.string().max(300).default(''),
});
