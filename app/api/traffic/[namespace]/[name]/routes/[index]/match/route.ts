import { matchBody, routeParams } from '@/lib/api/traffic-schemas';
import { auditedWrite } from '@/lib/http/traffic-write';
import { errorResponse } from '@/lib/http/responses';
import { setRouteMatch } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

/** Replaces the match conditions of one http route (operator). */
export async function PUT(request: Request, context: { params: Promise<{ namespace: string; name: string; index: string }> }) {
  const parsed = routeParams.safeParse(await context.params);
  if (!parsed.success) return errorResponse(parsed.error);
  const { namespace, name, index } = parsed.data;
  return auditedWrite(request, 'traffic:write', { namespace, name, action: 'traffic.match' }, async (body, options) => {
    const change = matchBody.parse(body);
    return { ...(await setRouteMatch(namespace, name, index, change, options)), reason: change.reason };
  });
}
