import { controlBody, controlParams } from '@/lib/api/rollout-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';
import { freshRollout, steerRollout } from '@/lib/k8s/rollouts';
import { CONTROL_PERMISSION } from '@/lib/mesh/rollout';
import { vsResource } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

/**
 * pause, resume, abort, acknowledge (operator) or skip, promote (admin: they move on without the
 * evidence) a rollout; a conflict answers with the rollout as it is now.
 */
export const POST = route({ auth: 'rollout:write', params: controlParams }, ({ request, params: { namespace, name, action } }) =>
  auditedWrite(
    request,
    CONTROL_PERMISSION[action],
    { resource: vsResource(namespace, name), action: `rollout.${action}`, current: () => freshRollout(namespace, name) },
    async (raw, options, user) => {
      const input = controlBody.parse(raw);
      return { ...(await steerRollout(namespace, name, action, input, user.email ?? user.name, options)), reason: input.reason };
    },
  ),
);
