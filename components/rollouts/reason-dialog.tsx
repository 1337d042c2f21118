'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';
import styles from './rollouts.module.css';

/**
 * A small modal that asks why before an action: what the action does, a reason, the action's
 * own confirm button (named like it) and Cancel; `outcome` shows a refusal or a conflict in
 * place. A native modal <dialog>: the browser traps focus, Escape cancels, focus goes back.
 */
export function ReasonDialog({
  title,
  open,
  onClose,
  description,
  reason,
  onReason,
  reasonHint,
  confirmLabel,
  confirmDisabled,
  danger,
  busy,
  onConfirm,
  outcome,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  description: ReactNode;
  reason: string;
  onReason: (reason: string) => void;
  /** Why the confirm button is off (e.g. the reason is too short), under the field. */
  reasonHint?: string;
  confirmLabel: string;
  confirmDisabled: boolean;
  danger?: boolean;
  busy: boolean;
  onConfirm: () => void;
  outcome: ReactNode;
}) {
  const element = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const hintId = useId();
  useEffect(() => {
    const dialog = element.current;
    if (open && dialog && !dialog.open) dialog.showModal();
    else if (!open && dialog?.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={element}
      className={styles.dialog}
      aria-labelledby={titleId}
      onCancel={(e) => {
        // Escape: the parent owns whether it is open.
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <form
          className={styles.dialogBody}
          onSubmit={(e) => {
            e.preventDefault();
            if (!confirmDisabled && !busy) onConfirm();
          }}
        >
          <h2 id={titleId}>{title}</h2>
          <div className={styles.dialogText}>{description}</div>
          <label className="field">
            Reason
            <input value={reason} onChange={(e) => onReason(e.target.value)} aria-describedby={reasonHint ? hintId : undefined} autoFocus />
          </label>
          {reasonHint && (
            <p id={hintId} className="hint">
              {reasonHint}
            </p>
          )}
          {outcome}
          <div className="toolbar">
            <button type="submit" className={`button${danger ? ' button-danger' : ''}`} disabled={confirmDisabled || busy} aria-busy={busy}>
              {confirmLabel}
            </button>
            <button type="button" className="button button-quiet" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
