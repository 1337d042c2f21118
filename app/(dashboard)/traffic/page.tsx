import type { Metadata } from 'next';
import { Suspense } from 'react';
import { preload } from 'react-dom';
import { TrafficPage } from '@/components/traffic/traffic-page';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { trafficListUrl } from '@/lib/queries/traffic-url';

export const metadata: Metadata = { title: 'Traffic' };

export default async function Traffic({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // The list is asked for while the page's scripts load (a <link rel="preload"> in the head), not
  // after they run: the page's own fetch of the same URL takes the preloaded answer.
  const namespace = (await searchParams)[NAMESPACE_PARAM];
  preload(trafficListUrl(typeof namespace === 'string' ? namespace : ''), { as: 'fetch', crossOrigin: 'anonymous' });
  return (
    <Suspense>
      <TrafficPage />
    </Suspense>
  );
}
