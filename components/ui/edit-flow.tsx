'use client';

import dynamic from 'next/dynamic';
import type { ReactNode } from 'react';
import { stringify } from 'yaml';
import { isBlocking } from '@/lib/analysis/gate';
import type { Action } from '@/lib/auth/roles';
import type { EditFlow, WritePreviewAnswer } from '@/lib/queries/use-edit-flow';
import { DiffView } from './diff-view';
import { EditFlowOutcome } from './edit-flow-outcome';
import styles from './edit-flow.module.css';

// The outcome lives apart (no YAML, no diff) so the shell's banners can show it without carrying them on every page.
export { EditFlowOutcome };

// The analysis' findings show only once a change is reviewed: loaded then, so the pages that carry
// an editor stay within the first-load budget (bench:ui). Apply's disabled state does not wait for
// them (isBlocking above is in this bundle).
const FindingsDiff = dynamic(() => import('./findings-diff').then((m) => m.FindingsDiff));
const GateControls = dynamic(() => import('./findings-diff').then((m) => m.GateControls));

// Keys sorted: a Kubernetes object's key order means nothing, so a reordered map is no change.
const yaml = (object: unknown) => (object === undefined ? '' : stringify(object, { lineWidth: 0, sortMapEntries: true }));

/**
 * The section every editor ends with: the reason, "Review change" (the API server's dry run of
 * the real patch, shown as a YAML diff of the object before and after, with the findings the
 * change adds and removes; Apply is off when it adds Error-level ones, and an admin may
 * override that with a reason), "Apply", and the
 * outcome: applied, a conflict (ConflictView, re-apply on the latest version), a refusal with
 * the server's message, or who may make the change.
 */
export function EditFlowSection({
  flow,
  action,
  what,
  label,
  changed,
  disabled,
  heading,
  diffLabel = `Change to the ${what}`,
  applyLabel = 'Apply',
  reasonLabel = 'Reason for this change (kept in the audit trail)',
  reasonPlaceholder,
  mine,
  now,
  reapplyLabel,
  onDiscard,
  check,
}: {
  flow: EditFlow;
  /** The permission the write needs: a 403 names the role that has it. */
  action: Action;
  /** What is changed, e.g. "VirtualService" (the diff's and the conflict view's noun). */
  what: string;
  /** The section's accessible name, e.g. "Review of reviews route default". */
  label: string;
  /** Whether there is a draft to review. */
  changed: boolean;
  /** Why this person cannot apply here (read-only, role, RBAC), if they cannot. */
  disabled?: string;
  /** One line saying what changes, shown above the diff (the server's summary otherwise). */
  heading?: ReactNode;
  diffLabel?: string;
  applyLabel?: string;
  reasonLabel?: string;
  reasonPlaceholder?: string;
  /** The draft in words, for the conflict view. */
  mine: ReactNode;
  /** The cluster's state now, in words: from a 409's `current` (undefined when it carried none) or the page's own data. */
  now: (current: unknown) => ReactNode;
  reapplyLabel?: string;
  onDiscard?: () => void;
  /** The editor's own checks before asking the server (it shows their messages); false stops the review. */
  check?: () => boolean;
}) {
  const { state } = flow;
  const reviewed = state.step === 'reviewing' || (state.step === 'applying' && state.preview);
  const preview = state.step === 'reviewing' || state.step === 'applying' ? state.preview : undefined;
  return (
    <>
      {changed && !disabled && (
        <section className={`review ${styles.flow}`} aria-label={label}>
          <label className="field">
            {reasonLabel}
            <input
              value={flow.reason}
              placeholder={reasonPlaceholder}
              onChange={(e) => flow.setReason(e.target.value)}
              aria-describedby={flow.reasonProblem ? `${label}-reason` : undefined}
            />
          </label>
          {flow.reasonProblem && flow.reason !== '' && (
            <p id={`${label}-reason`} className="hint">
              {flow.reasonProblem}
            </p>
          )}
          {!reviewed && (
            <div className="toolbar">
              <button type="button" className="button" disabled={flow.busy || Boolean(flow.reasonProblem)} onClick={() => (check?.() ?? true) && flow.review()}>
                {state.step === 'previewing' ? 'Reviewing…' : 'Review change'}
              </button>
              {onDiscard && (
                <button type="button" className="button button-quiet" disabled={flow.busy} onClick={onDiscard}>
                  Discard
                </button>
              )}
            </div>
          )}
          {preview && (
            <>
              <PreviewDiff preview={preview} heading={heading} label={diffLabel} />
              <GateControls flow={flow} analysis={preview.analysis} refused={state.step === 'reviewing' ? state.refused : undefined} />
              <div className="toolbar">
                <button
                  type="button"
                  className="button"
                  disabled={flow.busy || Boolean(flow.reasonProblem) || isBlocking(preview.analysis)}
                  onClick={flow.apply}
                >
                  {state.step === 'applying' ? 'Applying…' : applyLabel}
                </button>
                <button type="button" className="button button-quiet" disabled={flow.busy} onClick={flow.edited}>
                  Back
                </button>
              </div>
            </>
          )}
        </section>
      )}
      <EditFlowOutcome flow={flow} action={action} what={what} mine={mine} now={now} reapplyLabel={reapplyLabel} onDiscard={onDiscard} gateShown />
    </>
  );
}

/** A preview as a heading (the server's summary unless given), the YAML diff of the object before and after, and the findings it adds and removes. */
export function PreviewDiff({ preview, heading, label }: { preview: WritePreviewAnswer; heading?: ReactNode; label: string }) {
  return (
    <>
      <h4>{heading ?? preview.summary}</h4>
      <DiffView label={label} before={yaml(preview.before)} after={yaml(preview.after)} />
      <FindingsDiff analysis={preview.analysis} />
    </>
  );
}
