'use client';

import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { QueryState } from '@/components/ui/query-state';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { trafficQuery } from '@/lib/queries/traffic';
import { VirtualServiceCard } from './virtual-service-card';

export function TrafficPage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const traffic = useQuery(trafficQuery(namespace));
  return (
    <>
      <h1>Traffic</h1>
      <p className="muted">
        Every VirtualService {namespace ? `in ${namespace}` : 'in the cluster'}, its routes in the order Istio evaluates them. Weighted routes can be moved;
        each change is reviewed as a diff and applied on the version you saw.
      </p>
      <QueryState
        query={traffic}
        label="VirtualServices"
        isEmpty={(data) => data.items.length === 0}
        empty={`No VirtualServices ${namespace ? `in ${namespace}` : 'in the cluster'}.`}
      >
        {(data) => data.items.map((vs) => <VirtualServiceCard key={`${vs.namespace}/${vs.name}`} vs={vs} />)}
      </QueryState>
    </>
  );
}
