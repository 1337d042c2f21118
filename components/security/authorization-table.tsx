'use client';

import { useMemo } from 'react';
import type { DataColumn } from '@/components/ui/data-table';
import { DrawerTable } from '@/components/ui/drawer-table';
import { PageSection } from '@/components/ui/page-section';
import type { SecurityView } from '@/lib/queries/security';
import { CallerCheck } from './caller-check';
import styles from './security.module.css';
import { FindingsBadge } from '@/components/validation/findings-badge';
import { useFindingsByObject } from '@/lib/queries/validation';

type Policy = SecurityView['authorization'][number];
const policyId = (p: Policy) => `${p.namespace}/${p.name}`;
const ruleText = (r: Policy['rules'][number]) => `who: ${r.who}; what: ${r.what}; when: ${r.when}`;
const noRules = (p: Policy) => `no rules: ${p.action === 'ALLOW' ? 'allows nothing' : 'matches nothing'}`;

/** AuthorizationPolicies, one row each with their action and first rule; every rule in a drawer; and "can this caller do this?". */
export function Authorization({ data, namespace }: { data: SecurityView; namespace: string }) {
  const findings = useFindingsByObject();
  const columns = useMemo<DataColumn<Policy>[]>(
    () => [
      {
        id: 'action',
        header: 'Action',
        cell: (p) => <span className={`badge ${p.action === 'DENY' ? 'badge-warn' : ''}`}>{p.action}</span>,
        value: (p) => p.action,
        facet: true,
        width: '5.5rem',
      },
      {
        id: 'policy',
        header: 'Policy',
        cell: (p) => (
          <span>
            <strong>{policyId(p)}</strong> <FindingsBadge summaries={findings} kind="AuthorizationPolicy" namespace={p.namespace} name={p.name} />
          </span>
        ),
        value: policyId,
        width: 'minmax(9rem, 1.4fr)',
      },
      { id: 'workloads', header: 'Applies to', cell: (p) => p.workloads, value: (p) => p.workloads, width: 'minmax(8rem, 1fr)', hideBelow: 700 },
      {
        id: 'rules',
        header: 'Rules',
        cell: (p) => (
          <span className={styles.lines}>
            <span title={p.rules[0] ? ruleText(p.rules[0]) : noRules(p)}>
              {p.rules.length > 1 && <strong>{p.rules.length} rules · </strong>}
              {p.rules[0] ? ruleText(p.rules[0]) : noRules(p)}
            </span>
          </span>
        ),
        value: (p) => p.rules.map(ruleText).join(' '),
        width: 'minmax(10rem, 2.4fr)',
        hideBelow: 900,
      },
    ],
    [findings],
  );
  return (
    <PageSection title={`Authorization${namespace ? ` in ${namespace}` : ''}`} note="Open a policy to read all its rules.">
      <DrawerTable<Policy>
        label="AuthorizationPolicies"
        rows={data.authorization}
        columns={columns}
        getRowId={policyId}
        urlKey="authz"
        openKey="authz.open"
        rowHeight={36}
        empty="No AuthorizationPolicies match."
        title={(policy, id) => (policy ? `${policy.action} policy ${id}` : `AuthorizationPolicy ${id}`)}
        missing={(id) => `AuthorizationPolicy ${id} is not in this view: it was deleted, or it is outside the selected namespace.`}
        details={(policy) => (
          <div role="group" aria-label={`${policy.action} policy ${policyId(policy)}`}>
            <p>
              <span className={`badge ${policy.action === 'DENY' ? 'badge-warn' : ''}`}>{policy.action}</span> for {policy.workloads}
            </p>
            <ol className={styles.rules}>
              {policy.rules.map((r, i) => (
                <li key={i}>{ruleText(r)}</li>
              ))}
              {policy.rules.length === 0 && <li>{noRules(policy)}</li>}
            </ol>
          </div>
        )}
      />
      <CallerCheck data={data} />
    </PageSection>
  );
}
