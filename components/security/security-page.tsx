'use client';

import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { QueryState } from '@/components/ui/query-state';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { securityQuery } from '@/lib/queries/security';
import { Authorization } from './authorization-panel';
import { Emergency } from './emergency-form';
import { Jwt } from './jwt-panel';
import { MutualTls } from './mutual-tls';
import { RateLimits } from './rate-limits';

export function SecurityPage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const view = useQuery(securityQuery(namespace));
  return (
    <>
      <h1>Security</h1>
      <QueryState query={view} label="security policies">
        {(data) => (
          <>
            <MutualTls data={data} namespace={namespace} />
            <Emergency data={data} />
            <Jwt data={data} />
            <Authorization data={data} namespace={namespace} />
            <RateLimits data={data} namespace={namespace} />
          </>
        )}
      </QueryState>
    </>
  );
}
