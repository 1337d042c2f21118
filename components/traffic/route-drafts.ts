'use client';

// The weights being edited, per route, outside React state: the compact sliders in a table row
// and the editor in the drawer show one draft, and a slider step re-renders only the row (and
// editor) of that route, not the table around it.
import { useCallback, useSyncExternalStore } from 'react';
import type { DestinationView } from '@/lib/mesh/traffic-split';

export type DraftDestination = Pick<DestinationView, 'host' | 'service' | 'subset' | 'weight'>;
export interface RouteDraft {
  /** The VirtualService's resourceVersion when editing started: the write's precondition. */
  baseVersion: string;
  destinations: DraftDestination[];
}

/** A route's id in drafts and in the URL: namespace/VirtualService/route index. */
export const routeId = (vs: { namespace: string; name: string }, index: number) => `${vs.namespace}/${vs.name}/${index}`;

const drafts = new Map<string, RouteDraft>();
const listeners = new Map<string, Set<() => void>>();

function subscribe(id: string, listener: () => void) {
  const set = listeners.get(id) ?? listeners.set(id, new Set()).get(id)!;
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) listeners.delete(id);
  };
}

/** Sets (or with null, drops) a route's draft and tells whoever shows it. */
export function setRouteDraft(id: string, draft: RouteDraft | null) {
  if (draft) drafts.set(id, draft);
  else drafts.delete(id);
  for (const listener of listeners.get(id) ?? []) listener();
}

/** A route's draft (null: the route as the cluster has it) and its setter. */
export function useRouteDraft(id: string): [RouteDraft | null, (draft: RouteDraft | null) => void] {
  const draft = useSyncExternalStore(
    useCallback((listener: () => void) => subscribe(id, listener), [id]),
    () => drafts.get(id) ?? null,
    () => null,
  );
  const set = useCallback((next: RouteDraft | null) => setRouteDraft(id, next), [id]);
  return [draft, set];
}
