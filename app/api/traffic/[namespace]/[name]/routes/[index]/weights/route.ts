import { routeParams, weightsBody } from '@/lib/api/traffic-schemas';
import { errorResponse } from '@/lib/http/responses';
import { trafficWrite } from '@/lib/http/traffic-write';
import { setRouteWeights } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

/** Sets the destination weights of one http route. */
export async function PUT(request: Request, context: { params: Promise<{ namespace: string; name: string; index: string }> }) {
  const parsed = routeParams.safeParse(await context.params);
  if (!parsed.success) return errorResponse(parsed.error);
  const { namespace, name, index } = parsed.data;
  return trafficWrite(request, { namespace, name }, (body) => setRouteWeights(namespace, name, index, weightsBody.parse(body)));
}
