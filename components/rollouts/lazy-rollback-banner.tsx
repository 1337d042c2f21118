'use client';

import dynamic from 'next/dynamic';

// The rollback banner renders nothing on the server nor before hydration, and nothing at all while
// no rollback waits: its list query and decision load after the page, so the shell on every page
// stays within the first-load budget (bench:ui).
export const RollbackBanner = dynamic(() => import('./rollback-banner').then((m) => m.RollbackBanner), { ssr: false });
