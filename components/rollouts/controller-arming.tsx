import type { LeaderArming } from '@/lib/k8s/lease-election';

/**
 * Loud when no replica's rollout controller holds the Lease: nothing steps, checks or rolls back
 * the rollouts under way, and a start is refused. Quiet (one line) when armed, where asked.
 */
export function ControllerArming({
  controller,
  active,
  compact,
  showArmed,
}: {
  controller: LeaderArming;
  active: number;
  compact?: boolean;
  showArmed?: boolean;
}) {
  if (controller.armed)
    return showArmed ? (
      <p className="hint" aria-label="Rollout controller">
        Rollout controller armed by {controller.holder}
        {controller.holder === controller.replica ? ' (this replica)' : ''}.
      </p>
    ) : null;
  return (
    <section className={`notice notice-bad${compact ? ' notice-compact' : ''}`} aria-label="Rollout controller">
      <p>
        <strong>The rollout controller is NOT armed</strong>: {controller.reason ?? 'no replica holds its Lease'}.{' '}
        {active > 0
          ? `${active} rollout${active === 1 ? ' is' : 's are'} under way and nothing moves, checks or rolls ${active === 1 ? 'it' : 'them'} back`
          : 'No rollout can be started'}{' '}
        until a replica holds the Lease <code>{controller.lease}</code> (see <code>/api/readyz</code>).
      </p>
    </section>
  );
}
