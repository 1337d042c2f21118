'use client';

import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/**
 * False while the server renders and while React hydrates, true after. What depends on the
 * browser (its clock, its locale, a query the cache answered before this part hydrated) waits
 * for true, so the hydrated text always equals the server's (no React error #418).
 */
export const useHydrated = () =>
  useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
