'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { HttpError } from '@/lib/queries/fetch-json';
import { useLiveUpdates } from '@/lib/queries/live-updates';

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 2_000,
            // A 4xx will not fix itself on retry; a 5xx or network blip might.
            retry: (count, error) => !(error instanceof HttpError && error.status < 500) && count < 2,
          },
        },
      }),
  );
  // One event stream for the tab: the Kubernetes views it shows are pushed, not polled.
  useLiveUpdates(client);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
