import { rolloutParams, seriesQuery } from '@/lib/api/rollout-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { readRolloutSeries } from '@/lib/k8s/rollouts';

export const dynamic = 'force-dynamic';

/** One step's gate charts from Prometheus (one range query per gate kind); 503 when Prometheus is down. */
export const GET = route({ auth: 'read', params: rolloutParams, query: seriesQuery }, ({ user, params: { namespace, name }, query: { step } }) =>
  visibleAnswer(user!, namespace, () => readRolloutSeries(namespace, name, step)),
);
