import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ResiliencePage } from '@/components/resilience/resilience-page';

export const metadata: Metadata = { title: 'Resilience' };

export default function Resilience() {
  return (
    <Suspense>
      <ResiliencePage />
    </Suspense>
  );
}
