'use client';

import dynamic from 'next/dynamic';

// recharts loads when a step's charts first show, so the rollout pages open within the first-load budget (bench:ui).
export const GateChart = dynamic(() => import('./gate-chart').then((m) => m.GateChart), {
  ssr: false,
  loading: () => <p className="muted">Loading chart…</p>,
});
