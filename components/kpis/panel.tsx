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

export const pct = (ratio: number | null, digits = 2) => (ratio === null ? '–' : `${(ratio * 100).toFixed(digits)}%`);
export const ms = (value: number | null) => (value === null ? '–' : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);
export const rps = (value: number | null) => (value === null ? '–' : `${value.toFixed(value < 10 ? 2 : 1)}/s`);
