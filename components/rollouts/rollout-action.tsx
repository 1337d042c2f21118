'use client';

import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { EditFlowOutcome } from '@/components/ui/edit-flow-outcome';
import { candidateWeight, CONTROL_PERMISSION, stepText, stepWeight, type RolloutControl, type RolloutState } from '@/lib/mesh/rollout';
import type { RolloutItem } from '@/lib/queries/rollouts';
import { useRolloutControl } from '@/lib/queries/rollouts-writes';
import { ReasonDialog } from './reason-dialog';
import { PHASE_TEXT } from './rollout-phase';

interface ControlSpec {
  /** The button's name, and the dialog's confirm button's. */
  label: string;
  /** The dialog's name. */
  title: string;
  /** What happens, in the dialog; `state` when the page has the whole rollout (the banner has only its summary). */
  effect: (state: RolloutState | undefined) => string;
  danger?: boolean;
}

const atWeight = (state: RolloutState | undefined) => (state ? ` (${candidateWeight(state)} % to the candidate)` : '');

export const CONTROLS: Record<RolloutControl, ControlSpec> = {
  pause: {
    label: 'Pause',
    title: 'Pause rollout',
    effect: (s) => `The weights stay where they are${atWeight(s)} and no step moves until someone resumes.`,
  },
  resume: {
    label: 'Resume',
    title: 'Resume rollout',
    effect: (s) => `Puts the step's weights back${s ? ` (${stepWeight(s.plan, s.step)} % to the candidate)` : ''} and starts the step's time again.`,
  },
  abort: {
    label: 'Abort',
    title: 'Abort rollout',
    effect: () => 'Sends all traffic back to the stable destination and ends the rollout.',
    danger: true,
  },
  skip: {
    label: 'Skip step',
    title: 'Skip step',
    effect: (s) => `Moves on to ${s ? stepText(s.plan, s.step + 1) : 'the next step'} now, without the evidence of this step's gates.`,
    danger: true,
  },
  promote: {
    label: 'Promote now',
    title: 'Promote now',
    effect: () => 'Sends 100 % to the candidate now, without the remaining steps and their gates.',
    danger: true,
  },
  acknowledge: {
    label: 'Acknowledge',
    title: 'Acknowledge rollback',
    effect: () => 'The rollback is no longer announced on every page; the rollout and its timeline stay.',
  },
};

/** The rollout now, in words, for a conflict's "Now in the cluster" (a 409 carries the rollout as it is). */
const nowText = (current: unknown) => {
  const state = (current as Partial<RolloutItem> | undefined)?.state;
  return state ? `${PHASE_TEXT[state.phase]}, ${stepText(state.plan, state.step)}` : undefined;
};

/**
 * One operator action on a rollout: its button, the dialog that asks for the reason, and the
 * outcome (applied: under the button; a refusal or a conflict: in the dialog). For those who may
 * not take it the button is off and says why (or, with hideDenied, absent).
 */
export function RolloutActionButton({
  item,
  state,
  action,
  quiet,
  hideDenied,
  onApplied,
}: {
  item: Pick<RolloutItem, 'namespace' | 'name' | 'resourceVersion'>;
  state?: RolloutState;
  action: RolloutControl;
  quiet?: boolean;
  hideDenied?: boolean;
  /** The applied line, for the page to keep: the button itself goes once the phase no longer offers it. */
  onApplied?: (message: string) => void;
}) {
  const spec = CONTROLS[action];
  const permission = CONTROL_PERMISSION[action];
  const denial = useDenial(permission, item.namespace);
  const [open, setOpen] = useState(false);
  const flow = useRolloutControl(item, action, {
    baseVersion: item.resourceVersion,
    applied: (answer) => {
      setOpen(false);
      const message = `${spec.label}: done. Rollout ${answer.item.name} is ${PHASE_TEXT[answer.item.state.phase].toLowerCase()} now.`;
      onApplied?.(message);
      return message;
    },
  });
  if (denial && hideDenied) return null;
  const outcome = <EditFlowOutcome flow={flow} action={permission} what="rollout" mine={`${spec.label}, because: ${flow.reason}`} now={nowText} />;
  return (
    <>
      <button
        type="button"
        className={`button button-small${quiet || !spec.danger ? ' button-quiet' : ' button-danger'}`}
        disabled={Boolean(denial)}
        title={denial}
        onClick={() => {
          flow.edited();
          setOpen(true);
        }}
      >
        {spec.label}
      </button>
      {!open && !(onApplied && flow.state.step === 'applied') && outcome}
      <ReasonDialog
        title={spec.title}
        open={open}
        onClose={() => setOpen(false)}
        description={<p>{spec.effect(state)}</p>}
        reason={flow.reason}
        onReason={(text) => {
          flow.setReason(text);
          flow.edited();
        }}
        reasonHint={flow.reason ? flow.reasonProblem : undefined}
        confirmLabel={spec.label}
        confirmDisabled={Boolean(flow.reasonProblem)}
        danger={spec.danger}
        busy={flow.busy}
        onConfirm={flow.apply}
        outcome={open && outcome}
      />
    </>
  );
}
