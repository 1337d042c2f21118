'use client';

import { useMemo } from 'react';
import type { DataColumn } from '@/components/ui/data-table';
import { DrawerTable } from '@/components/ui/drawer-table';
import { PageSection } from '@/components/ui/page-section';
import type { SecurityView } from '@/lib/queries/security';
import styles from './security.module.css';
import { FindingsBadge } from '@/components/validation/findings-badge';
import { useFindingsByObject } from '@/lib/queries/validation';

type RequestAuthentication = SecurityView['jwt'][number];
const raId = (r: RequestAuthentication) => `${r.namespace}/${r.name}`;

/** One line per provider, each cut to the cell's width (the drawer shows them whole). */
function Lines({ items, empty }: { items: string[]; empty: string }) {
  if (items.length === 0) return <span className="muted">{empty}</span>;
  return (
    <span className={styles.lines}>
      {items.map((item, i) => (
        <span key={`${i}-${item}`} title={item}>
          {item}
        </span>
      ))}
    </span>
  );
}

/** RequestAuthentications, one row each: who they apply to and which issuers they trust; the providers' details in a drawer. */
export function Jwt({ data }: { data: SecurityView }) {
  const findings = useFindingsByObject();
  const columns = useMemo<DataColumn<RequestAuthentication>[]>(
    () => [
      {
        id: 'name',
        header: 'RequestAuthentication',
        cell: (r) => (
          <span>
            <strong>{raId(r)}</strong> <FindingsBadge summaries={findings} kind="RequestAuthentication" namespace={r.namespace} name={r.name} />
          </span>
        ),
        value: raId,
        width: 'minmax(9rem, 1.2fr)',
      },
      { id: 'workloads', header: 'Applies to', cell: (r) => r.workloads, value: (r) => r.workloads, width: 'minmax(8rem, 1fr)', hideBelow: 700 },
      {
        id: 'issuers',
        header: 'Issuers',
        cell: (r) => <Lines items={r.providers.map((p) => p.issuer)} empty="none" />,
        value: (r) => r.providers.map((p) => p.issuer).join(' '),
        width: 'minmax(10rem, 1.6fr)',
      },
      {
        id: 'audiences',
        header: 'Audiences',
        cell: (r) => <Lines items={r.providers.map((p) => p.audiences.join(', ') || 'any')} empty="–" />,
        value: (r) => r.providers.flatMap((p) => p.audiences).join(' '),
        width: 'minmax(8rem, 1.2fr)',
        hideBelow: 1000,
      },
    ],
    [findings],
  );
  return (
    <PageSection
      title="JWT authentication"
      note={data.jwt.length === 0 ? 'No RequestAuthentication: tokens are not validated.' : 'Open one for its providers.'}
    >
      <DrawerTable<RequestAuthentication>
        label="RequestAuthentications"
        rows={data.jwt}
        columns={columns}
        getRowId={raId}
        urlKey="jwt"
        openKey="jwt.open"
        rowHeight={38}
        empty="No RequestAuthentications match."
        title={(_, id) => `RequestAuthentication ${id}`}
        missing={(id) => `RequestAuthentication ${id} is not in this view: it was deleted, or it is outside the selected namespace.`}
        details={(current) => (
          <>
            <p>
              Applies to <strong>{current.workloads}</strong>. A request with a token no provider accepts is refused (401); a request without a token passes
              this check, and only an AuthorizationPolicy can require one.
            </p>
            <ul className={styles.providers} aria-label={`JWT providers of ${current.name}`}>
              {current.providers.map((p) => (
                <li key={p.issuer}>
                  <dl className="facts">
                    <dt>Issuer</dt>
                    <dd>{p.issuer}</dd>
                    <dt>JWKS</dt>
                    <dd>
                      <code>{p.jwksUri ?? 'discovered'}</code>
                    </dd>
                    <dt>Audiences</dt>
                    <dd>{p.audiences.join(', ') || 'any'}</dd>
                    <dt>Token from</dt>
                    <dd>{p.fromHeaders.join(', ') || 'Authorization (Bearer …)'}</dd>
                    <dt>Forwarded</dt>
                    <dd>{p.forwardOriginalToken ? 'yes' : 'no'}</dd>
                  </dl>
                </li>
              ))}
            </ul>
          </>
        )}
      />
    </PageSection>
  );
}
