import type { Metadata } from 'next';
import { Suspense } from 'react';
import { KpisPage } from '@/components/kpis/kpis-page';

export const metadata: Metadata = { title: 'KPIs' };

export default function Kpis() {
  return (
    <Suspense>
      <KpisPage />
    </Suspense>
  );
}
