import { z } from 'zod';
import { policyBody } from '@/lib/api/resilience-schemas';
import { namespaceName } from '@/lib/api/security-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { errorResponse } from '@/lib/http/responses';
import { setPolicy } from '@/lib/k8s/resilience';

export const dynamic = 'force-dynamic';
const params = z.object({ namespace: namespaceName, name: namespaceName });

/** Sets a DestinationRule's traffic policy, or one subset's (operator). */
export async function PUT(request: Request, context: { params: Promise<{ namespace: string; name: string }> }) {
  const parsed = params.safeParse(await context.params);
  if (!parsed.success) return errorResponse(parsed.error);
  const { namespace, name } = parsed.data;
  return auditedWrite(request, 'resilience:write', { resource: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace, name }, action: 'resilience.policy' }, async (raw, options) => {
    const input = policyBody.parse(raw);
    const values = Object.fromEntries(Object.entries(input.values).map(([k, v]) => [k, v ?? '']));
    return { ...(await setPolicy(namespace, name, { ...input, values }, options)), reason: input.reason };
  });
}
