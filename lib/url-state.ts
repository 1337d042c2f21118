'use client';

import { useSearchParams } from 'next/navigation';
import { useCallback } from 'react';

/**
 * Writes search parameters with the History API. Next's router picks the change up
 * (useSearchParams updates) without a server round trip, which router.replace would
 * cost on every keystroke of a filter.
 */
export function replaceSearchParams(update: (params: URLSearchParams) => void) {
  const params = new URLSearchParams(window.location.search);
  update(params);
  const query = params.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`;
  // null state: Next treats a replaceState carrying its own state as internal and would not sync useSearchParams.
  window.history.replaceState(null, '', url);
}

/**
 * One value kept in the URL's query string, so reloads and shared links keep it (a
 * table's filter, the open drawer). Setting the fallback or undefined removes the
 * parameter, which keeps URLs short.
 */
export function useUrlState(key: string, fallback = ''): [string, (next: string | undefined) => void] {
  const value = useSearchParams().get(key) ?? fallback;
  const set = useCallback(
    (next: string | undefined) =>
      replaceSearchParams((params) => {
        if (next === undefined || next === fallback) params.delete(key);
        else params.set(key, next);
      }),
    [key, fallback],
  );
  return [value, set];
}
