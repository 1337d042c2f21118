import type { Metadata } from 'next';
import { Suspense } from 'react';
import { TrafficPage } from '@/components/traffic/traffic-page';

export const metadata: Metadata = { title: 'Traffic' };

export default function Traffic() {
  return (
    <Suspense>
      <TrafficPage />
    </Suspense>
  );
}
