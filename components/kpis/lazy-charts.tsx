'use client';

import dynamic from 'next/dynamic';

// recharts is about 120 kB gzip: loaded when a chart first shows, so pages that open with a
// table stay within the first-load budget (bench:ui measures it).
export const TimeSeriesChart = dynamic(() => import('./charts').then((m) => m.TimeSeriesChart), {
  ssr: false,
  loading: () => <p className="muted">Loading chart…</p>,
});
