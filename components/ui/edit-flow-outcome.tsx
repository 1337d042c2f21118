'use client';

import dynamic from 'next/dynamic';
import type { ReactNode } from 'react';
import { requiredRole, type Action } from '@/lib/auth/roles';
import type { EditFlow } from '@/lib/queries/use-edit-flow';
import { ConflictView } from './conflict-view';

// Shown only when the analysis gate refused a change: loaded then.
const GateControls = dynamic(() => import('./findings-diff').then((m) => m.GateControls));

/** The outcome of a flow's last preview or apply; also for confirm-style actions that apply without a diff. */
export function EditFlowOutcome({
  flow,
  action,
  what,
  mine,
  now,
  reapplyLabel,
  onDiscard,
  gateShown,
}: {
  flow: EditFlow;
  action: Action;
  what: string;
  mine: ReactNode;
  now: (current: unknown) => ReactNode;
  reapplyLabel?: string;
  onDiscard?: () => void;
  /** The caller shows the analysis gate's refusal and override itself (EditFlowSection does, under the diff). */
  gateShown?: boolean;
}) {
  const { state } = flow;
  const verb = 'during' in state && state.during === 'preview' ? 'Not reviewed' : 'Not applied';
  switch (state.step) {
    case 'applied':
      return (
        <p role="status" className="notice-inline ok">
          {state.message}
        </p>
      );
    case 'conflict':
      return (
        <ConflictView
          what={what}
          message={state.message}
          now={now(state.current) ?? undefined}
          mine={mine}
          reapplyLabel={reapplyLabel}
          onReapply={flow.reapply}
          onDiscard={onDiscard}
        />
      );
    case 'refused':
      return (
        <p role="alert" className="notice-inline bad">
          {verb}: {state.message}
          {state.status === 403 && <> This change needs the {requiredRole(action)} role (and the cluster&apos;s permission for it): ask someone who has it.</>}
          {state.status === 0 && ' (the server could not be reached; try again)'}
        </p>
      );
    case 'reviewing':
      // A confirm-style editor (its own apply button beside a PreviewDiff) learns here that the gate refused it, and an admin may override.
      return gateShown ? null : <GateControls flow={flow} analysis={state.preview.analysis} refused={state.refused} />;
    default:
      return null;
  }
}
