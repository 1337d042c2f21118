'use client';

import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { QueryState } from '@/components/ui/query-state';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { resilienceQuery } from '@/lib/queries/resilience';
import { BreakerLivePanel } from './breaker-live';
import { useBreakers } from './breaker-state';
import { RoutesTable } from './routes-table';
import { RulesTable } from './rules-table';

/** Resilience: DestinationRules' traffic policies and routes' timeouts and retries as rows with their live state; editors open in a drawer. */
export function ResiliencePage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const view = useQuery(resilienceQuery(namespace));
  const breakers = useBreakers(namespace);
  return (
    <>
      <h1>Resilience</h1>
      <QueryState query={view} label="traffic policies">
        {(data) => (
          <>
            <RulesTable rules={data.rules} breakers={breakers} allNamespaces={!namespace} />
            <RoutesTable routes={data.routes} breakers={breakers} />
          </>
        )}
      </QueryState>
      <BreakerLivePanel namespace={namespace} />
    </>
  );
}
