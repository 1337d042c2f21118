import { objectParams } from '@/lib/api/param-schemas';
import { policyBody } from '@/lib/api/resilience-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';
import { setPolicy } from '@/lib/k8s/resilience';

export const dynamic = 'force-dynamic';

/** Sets a DestinationRule's traffic policy, or one subset's (operator). */
export const PUT = route({ auth: 'resilience:write', params: objectParams }, ({ request, params: { namespace, name } }) =>
  auditedWrite(
    request,
    'resilience:write',
    { resource: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace, name }, action: 'resilience.policy' },
    async (raw, options) => {
      const input = policyBody.parse(raw);
      const values = Object.fromEntries(Object.entries(input.values).map(([k, v]) => [k, v ?? '']));
      return { ...(await setPolicy(namespace, name, { ...input, values }, options)), reason: input.reason };
    },
  ),
);
