// Rollout writes in the browser: a start and the controls, through the shared edit flow (reason,
// preview, apply, conflict). Apart from the reads (./rollouts) so the list every page's rollback
// banner reads does not bring the edit flow into every first load.
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { RolloutPlanInput } from '@/lib/api/rollout-schemas';
import type { RolloutControl } from '@/lib/mesh/rollout-model';
import { queryKeys, type NamedResource } from './keys';
import { rolloutPath, type RolloutAnswer, type RolloutItem } from './rollouts';
import { useEditFlow, type EditFlowOptions, type EditFlowWrite } from './use-edit-flow';

/** Where a start goes (POST `{ resourceVersion, reason, plan }`; `?dryRun=true` previews it). */
export const rolloutStartUrl = rolloutPath;
/** Where a control goes (POST `{ resourceVersion, reason }`). */
export const rolloutControlUrl = (vs: NamedResource, action: RolloutControl) => `${rolloutPath(vs)}/${action}`;

/** What a start or a control answers (auditedWrite): the rollout after the write. */
export interface RolloutWriteAnswer {
  item: RolloutItem;
  audit: { status: 'recorded' | 'pending'; id: string; message?: string };
}

/**
 * After a start or a control: the rollout's own entry gets the answer at once (not read again: the
 * watch cache may not have the write yet), and the lists that show it (Rollouts, Traffic rows with
 * their weights) are read again.
 */
export function rolloutWritten(client: QueryClient, item: RolloutItem): void {
  client.setQueryData<RolloutAnswer>(queryKeys.rollouts.detail(item), (answer) => (answer ? { ...answer, item } : answer));
  void client.invalidateQueries({ queryKey: queryKeys.rollouts.lists });
  void client.invalidateQueries({ queryKey: queryKeys.traffic.lists });
}

type FlowOptions = Pick<EditFlowOptions<RolloutWriteAnswer>, 'baseVersion' | 'reasonState'> & {
  /** The outcome line once applied (the answer is stored and the lists refreshed before). */
  applied: (answer: RolloutWriteAnswer) => string;
};

/** A rollout write through the edit flow; what it answered is stored before the outcome line. */
function useRolloutWrite(write: EditFlowWrite, { applied, ...options }: FlowOptions) {
  const client = useQueryClient();
  return useEditFlow<RolloutWriteAnswer>({
    ...options,
    write,
    onApplied: (answer) => {
      rolloutWritten(client, answer.item);
      return applied(answer);
    },
  });
}

/**
 * The Start rollout dialog's flow (reason, `?dryRun=true` preview, apply, conflict): `plan` is the
 * form's plan at the moment of the request. A 400 names the plan's field (`state.fields`).
 */
export const useRolloutStart = (vs: NamedResource, plan: () => RolloutPlanInput, options: FlowOptions) =>
  useRolloutWrite({ url: rolloutStartUrl(vs), method: 'POST', body: ({ reason, resourceVersion }) => ({ resourceVersion, reason, plan: plan() }) }, options);

/** A control's flow (pause, resume, abort, skip, promote, acknowledge): a reason, then apply; a 409 shows the state now. */
export const useRolloutControl = (vs: NamedResource, action: RolloutControl, options: FlowOptions) =>
  useRolloutWrite({ url: rolloutControlUrl(vs, action), method: 'POST', body: ({ reason, resourceVersion }) => ({ resourceVersion, reason }) }, options);
