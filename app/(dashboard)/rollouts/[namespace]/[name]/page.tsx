import type { Metadata } from 'next';
import { Suspense } from 'react';
import { RolloutPage } from '@/components/rollouts/rollout-page';

interface Params {
  params: Promise<{ namespace: string; name: string }>;
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `Rollout ${(await params).name}` };
}

export default async function Rollout({ params }: Params) {
  const { namespace, name } = await params;
  return (
    <Suspense>
      <RolloutPage namespace={namespace} name={name} />
    </Suspense>
  );
}
