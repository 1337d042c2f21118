import { z } from 'zod';
import { indexParam, namespaceName } from '@/lib/api/param-schemas';
import { routeBody } from '@/lib/api/resilience-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';
import { setRouteResilience } from '@/lib/k8s/resilience';

export const dynamic = 'force-dynamic';
const params = z.object({ namespace: namespaceName, name: namespaceName, index: indexParam(999) });

/** Sets a route's timeout and retries (operator). */
export const PUT = route({ auth: 'resilience:write', params }, ({ request, params: { namespace, name, index } }) =>
  auditedWrite(
    request,
    'resilience:write',
    { resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace, name }, action: 'resilience.route' },
    async (raw, options) => {
      const input = routeBody.parse(raw);
      return { ...(await setRouteResilience(namespace, name, index, input, options)), reason: input.reason };
    },
  ),
);
