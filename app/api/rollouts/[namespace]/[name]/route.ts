import { rolloutParams, startBody } from '@/lib/api/rollout-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';
import { beginRollout, readRollout } from '@/lib/k8s/rollouts';
import { freshView, vsResource } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

/** One rollout: its whole state (plan, steps, checks, timeline) and its route's destinations now. */
export const GET = route({ auth: 'read', params: rolloutParams }, ({ user, params: { namespace, name } }) =>
  visibleAnswer(user!, namespace, () => readRollout(namespace, name)),
);

/** Starts a rollout on one route (operator); a conflict answers with the VirtualService as it is now. */
export const POST = route({ auth: 'rollout:write', params: rolloutParams }, ({ request, params: { namespace, name } }) =>
  auditedWrite(
    request,
    'rollout:write',
    { resource: vsResource(namespace, name), action: 'rollout.start', current: () => freshView(namespace, name) },
    async (raw, options, user) => {
      const input = startBody.parse(raw);
      return { ...(await beginRollout(namespace, name, input, user.email ?? user.name, options)), reason: input.reason };
    },
  ),
);
