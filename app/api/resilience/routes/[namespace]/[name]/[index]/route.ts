import { z } from 'zod';
import { routeBody } from '@/lib/api/resilience-schemas';
import { namespaceName } from '@/lib/api/security-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { errorResponse } from '@/lib/http/responses';
import { setRouteResilience } from '@/lib/k8s/resilience';

export const dynamic = 'force-dynamic';
const params = z.object({ namespace: namespaceName, name: namespaceName, index: z.coerce.number().int().min(0).max(999) });

/** Sets a route's timeout and retries (operator). */
export async function PUT(request: Request, context: { params: Promise<{ namespace: string; name: string; index: string }> }) {
  const parsed = params.safeParse(await context.params);
  if (!parsed.success) return errorResponse(parsed.error);
  const { namespace, name, index } = parsed.data;
  return auditedWrite(request, 'resilience:write', { resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace, name }, action: 'resilience.route' }, async (raw, options) => {
    const input = routeBody.parse(raw);
    return { ...(await setRouteResilience(namespace, name, index, input, options)), reason: input.reason };
  });
}
