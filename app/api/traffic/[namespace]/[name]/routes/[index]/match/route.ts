import { matchBody, routeParams } from '@/lib/api/traffic-schemas';
import { errorResponse } from '@/lib/http/responses';
import { trafficWrite } from '@/lib/http/traffic-write';
import { setRouteMatch } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

/** Replaces the match conditions of one http route. */
export async function PUT(request: Request, context: { params: Promise<{ namespace: string; name: string; index: string }> }) {
  const parsed = routeParams.safeParse(await context.params);
  if (!parsed.success) return errorResponse(parsed.error);
  const { namespace, name, index } = parsed.data;
  return trafficWrite(request, { namespace, name }, (body) => setRouteMatch(namespace, name, index, matchBody.parse(body)));
}
