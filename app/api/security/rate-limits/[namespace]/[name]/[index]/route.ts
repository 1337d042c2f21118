import { z } from 'zod';
import { namespaceName, tokenBucketBody } from '@/lib/api/security-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { errorResponse } from '@/lib/http/responses';
import { setTokenBucket } from '@/lib/k8s/security';

export const dynamic = 'force-dynamic';

const params = z.object({ namespace: namespaceName, name: namespaceName, index: z.coerce.number().int().min(0).max(99) });

/** Changes a local rate limit's token bucket (admin). */
export async function PUT(request: Request, context: { params: Promise<{ namespace: string; name: string; index: string }> }) {
  const parsed = params.safeParse(await context.params);
  if (!parsed.success) return errorResponse(parsed.error);
  const { namespace, name, index } = parsed.data;
  return auditedWrite(request, 'security:write', { resource: { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', namespace, name }, action: 'security.rate-limit' }, async (raw, options) => {
    const input = tokenBucketBody.parse(raw);
    return { ...(await setTokenBucket(namespace, name, index, input, options)), reason: input.reason };
  });
}
