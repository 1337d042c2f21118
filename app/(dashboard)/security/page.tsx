import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SecurityPage } from '@/components/security/security-page';

export const metadata: Metadata = { title: 'Security' };

export default function Security() {
  return (
    <Suspense>
      <SecurityPage />
    </Suspense>
  );
}
