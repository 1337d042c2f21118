import { matchBody, routeParams } from '@/lib/api/traffic-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';
import { freshView, setRouteMatch, vsResource } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

/** Replaces the match conditions of one http route (operator). */
export const PUT = route({ auth: 'traffic:write', params: routeParams }, ({ request, params: { namespace, name, index } }) =>
  auditedWrite(
    request,
    'traffic:write',
    { resource: vsResource(namespace, name), action: 'traffic.match', current: () => freshView(namespace, name) },
    async (body, options) => {
      const change = matchBody.parse(body);
      const applied = await setRouteMatch(namespace, name, index, change, options);
      return { ...applied, item: applied.view, resourceVersion: applied.view.resourceVersion, reason: change.reason };
    },
  ),
);
