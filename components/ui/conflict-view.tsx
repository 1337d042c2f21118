import type { ReactNode } from 'react';

/**
 * What a page shows when a write was refused with 409 because the object changed after the
 * person loaded it: the cluster's state now beside the change they made, and a way to apply
 * that change again on the latest version (or to drop it). Nothing was written.
 */
export function ConflictView({
  what,
  message,
  now,
  mine,
  onReapply,
  reapplyLabel = 'Re-apply my change on the latest version',
  onDiscard,
}: {
  what: string;
  message: string;
  now?: ReactNode;
  mine: ReactNode;
  onReapply?: () => void;
  reapplyLabel?: string;
  onDiscard?: () => void;
}) {
  return (
    <section role="alert" aria-label="Conflict" className="notice-inline bad">
      <strong>Not applied: someone changed this {what} after you loaded it.</strong>
      <p>{message}</p>
      <dl className="facts">
        <dt>Now in the cluster</dt>
        <dd>{now ?? 'unknown (it could not be read again)'}</dd>
        <dt>Your change</dt>
        <dd>{mine}</dd>
      </dl>
      {(onReapply ?? onDiscard) && (
        <div className="toolbar">
          {onReapply && now !== undefined && (
            <button type="button" className="button" onClick={onReapply}>
              {reapplyLabel}
            </button>
          )}
          {onDiscard && (
            <button type="button" className="button button-quiet" onClick={onDiscard}>
              Discard my change
            </button>
          )}
        </div>
      )}
    </section>
  );
}
