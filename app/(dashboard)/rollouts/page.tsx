import type { Metadata } from 'next';
import { Suspense } from 'react';
import { RolloutsPage } from '@/components/rollouts/rollouts-page';

export const metadata: Metadata = { title: 'Rollouts' };

export default function Rollouts() {
  return (
    <Suspense>
      <RolloutsPage />
    </Suspense>
  );
}
