import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ValidationPage } from '@/components/validation/validation-page';

export const metadata: Metadata = { title: 'Validation' };

export default function Validation() {
  return (
    <Suspense>
      <ValidationPage />
    </Suspense>
  );
}
