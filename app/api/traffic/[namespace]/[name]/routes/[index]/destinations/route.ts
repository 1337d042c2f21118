import { destinationsBody, routeParams } from '@/lib/api/traffic-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';
import { freshView, setRouteDestinations, vsResource } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

/** Adds a destination to one http route or removes one at 0 % (operator). */
export const PUT = route({ auth: 'traffic:write', params: routeParams }, ({ request, params: { namespace, name, index } }) =>
  auditedWrite(
    request,
    'traffic:write',
    { resource: vsResource(namespace, name), action: 'traffic.destinations', current: () => freshView(namespace, name) },
    async (body, options) => {
      const change = destinationsBody.parse(body);
      const applied = await setRouteDestinations(namespace, name, index, change, options);
      return { ...applied, item: applied.view, resourceVersion: applied.view.resourceVersion, reason: change.reason };
    },
  ),
);
