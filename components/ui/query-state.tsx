import type { ReactNode } from 'react';

/**
 * The four states every data panel renders explicitly: loading, error, no data, data.
 */
export function QueryState<T>({
  query,
  label,
  isEmpty,
  empty,
  children,
}: {
  query: { data: T | undefined; isPending: boolean; isError: boolean; error: Error | null };
  label: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    return (
      <p className="state state-loading" role="status">
        Loading {label}…
      </p>
    );
  }
  if (query.isError || query.data === undefined) {
    return (
      <div className="state state-error" role="alert">
        <strong>Could not load {label}.</strong> {query.error?.message}
      </div>
    );
  }
  if (isEmpty?.(query.data)) return <p className="state state-empty">{empty ?? `No ${label}.`}</p>;
  return <>{children(query.data)}</>;
}
