import { routeParams, weightsBody } from '@/lib/api/traffic-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { errorResponse } from '@/lib/http/responses';
import { freshView, setRouteWeights, vsResource } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

/** Sets the destination weights of one http route (operator). */
export async function PUT(request: Request, context: { params: Promise<{ namespace: string; name: string; index: string }> }) {
  const parsed = routeParams.safeParse(await context.params);
  if (!parsed.success) return errorResponse(parsed.error);
  const { namespace, name, index } = parsed.data;
  return auditedWrite(request, 'traffic:write', { resource: vsResource(namespace, name), action: 'traffic.weights', current: () => freshView(namespace, name) }, async (body, options) => {
    const change = weightsBody.parse(body);
    const applied = await setRouteWeights(namespace, name, index, change, options);
    return { ...applied, item: applied.view, resourceVersion: applied.view.resourceVersion, reason: change.reason };
  });
}
