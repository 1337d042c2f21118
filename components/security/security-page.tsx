'use client';

import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useDenial } from '@/components/auth/user-context';
import { QueryState } from '@/components/ui/query-state';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { securityQuery } from '@/lib/queries/security';
import { Authorization } from './authorization-table';
import { EmergencyAction, useEmergencyDrawer } from './emergency-action';
import { Jwt } from './jwt-panel';
import { MutualTls } from './mutual-tls';
import { RateLimits } from './rate-limits';
import styles from './security.module.css';

/** Security: the emergency action at the top, then mTLS, JWT, authorization and rate limits as tables; details and editors in drawers. */
export function SecurityPage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const view = useQuery(securityQuery(namespace));
  const mayStartEmergency = !useDenial('emergency');
  const [, openEmergency] = useEmergencyDrawer();
  return (
    <>
      <div className={styles.titleBar}>
        <h1>Security</h1>
        {view.data && <EmergencyAction data={view.data} namespace={namespace} />}
      </div>
      <QueryState query={view} label="security policies">
        {(data) => (
          <>
            <MutualTls data={data} namespace={namespace} onEmergency={mayStartEmergency ? openEmergency : undefined} />
            <Jwt data={data} />
            <Authorization data={data} namespace={namespace} />
            <RateLimits data={data} namespace={namespace} />
          </>
        )}
      </QueryState>
    </>
  );
}
