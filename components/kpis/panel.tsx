import type { ReactNode } from 'react';
import type { Panel } from '@/lib/metrics/kpis';

/** A KPI panel in one of its four states: loading, error, no data, data. */
export function PanelBody<T>({
  panel,
  pending,
  label,
  isEmpty,
  empty,
  children,
}: {
  panel: Panel<T> | undefined;
  pending: boolean;
  label: string;
  isEmpty: (data: T) => boolean;
  empty?: string;
  children: (data: T) => ReactNode;
}) {
  if (pending || !panel)
    return (
      <p className="state state-loading" role="status">
        Loading {label}…
      </p>
    );
  if ('error' in panel) {
    return (
      <div className="state state-error" role="alert">
        <strong>Could not load {label}.</strong> {panel.error.message}
      </div>
    );
  }
  if (isEmpty(panel.data)) return <p className="state state-empty">{empty ?? `No data for ${label} in this time range.`}</p>;
  return <>{children(panel.data)}</>;
}
