'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import type { DataColumn } from '@/components/ui/data-table';
import { DrawerTable } from '@/components/ui/drawer-table';
import { QueryState } from '@/components/ui/query-state';
import type { CodeInfo } from '@/lib/analysis/codes';
import { K } from '@/lib/analysis/kinds';
import { LEVELS, type Level } from '@/lib/analysis/types';
import type { FindingRow, ValidationView } from '@/lib/mesh/validation';
import { FINDINGS_OBJECT_PARAM, hasObjectPage, NAMESPACE_PARAM, objectHref } from '@/lib/navigation';
import { validationQuery } from '@/lib/queries/validation';
import { replaceSearchParams } from '@/lib/url-state';
import { LevelTag } from './findings-badge';
import styles from './validation.module.css';

/** The table's URL key: findings.q, findings.f.<column>, findings.open. */
const URL_KEY = 'findings';
const PLURAL: Record<Level, [string, string]> = { Error: ['error', 'errors'], Warning: ['warning', 'warnings'], Info: ['info', 'info'] };

const rowId = (row: FindingRow) => [row.code, row.apiVersion, row.kind, row.namespace ?? '', row.name, row.path ?? '', row.message].join('|');
const objectOf = (row: FindingRow) => `${row.kind}/${row.namespace ?? ''}/${row.name}`;
const objectLabel = (row: FindingRow) => (row.namespace && row.kind !== 'Namespace' ? `${row.namespace}/${row.name}` : row.name);

/** Validation: every finding of the configuration analysis, by namespace (the header's select), level, code and kind. */
export function ValidationPage() {
  const search = useSearchParams();
  const namespace = search.get(NAMESPACE_PARAM) ?? '';
  const object = search.get(FINDINGS_OBJECT_PARAM) ?? '';
  const view = useQuery(validationQuery(namespace));
  return (
    <>
      <h1>Validation</h1>
      <p className="muted">
        The configuration checked as <code>istioctl analyze</code> checks it (Istio&apos;s IST codes) and against Meshdeck&apos;s own rules (MDK codes),
        recomputed as the cluster changes. Silence a code on one object with the annotation <code>galley.istio.io/analyze-suppress</code>.
      </p>
      <QueryState query={view} label="the configuration analysis">
        {(data) => <Findings view={data} object={object} inOneNamespace={Boolean(namespace)} />}
      </QueryState>
    </>
  );
}

function Findings({ view, object, inOneNamespace }: { view: ValidationView; object: string; inOneNamespace: boolean }) {
  const rows = useMemo(() => (object ? view.items.filter((row) => objectOf(row) === object) : view.items), [view.items, object]);
  const codes = useMemo(() => new Map(view.codes.map((c) => [c.code, c])), [view.codes]);
  const columns = useMemo(() => findingColumns(codes, inOneNamespace), [codes, inOneNamespace]);
  return (
    <>
      <LevelCounts counts={view.counts} />
      {!view.analysis.synced && (
        <p className="notice-inline warn" role="status">
          Findings may be behind the cluster: {view.analysis.lastError ?? 'a watch has not caught up yet'}.
        </p>
      )}
      {view.notLoaded.length > 0 && <NotAnalyzed kinds={view.notLoaded} />}
      {object && (
        <p className={styles.scope} role="status">
          Findings of <strong>{object.replace('/', ' ')}</strong>{' '}
          <button type="button" className="button button-quiet button-small" onClick={() => replaceSearchParams((p) => p.delete(FINDINGS_OBJECT_PARAM))}>
            Show all findings
          </button>
        </p>
      )}
      <DrawerTable<FindingRow>
        label="Findings"
        rows={rows}
        columns={columns}
        getRowId={rowId}
        urlKey={URL_KEY}
        openKey={`${URL_KEY}.open`}
        rowHeight={52}
        empty={view.items.length === 0 ? `No findings: ${view.analysis.objects} objects analyzed.` : 'No finding matches these filters.'}
        title={(row) => (row ? `${row.code} on ${row.kind} ${objectLabel(row)}` : 'Finding')}
        details={(row) => <FindingDetails row={row} code={codes.get(row.code)} />}
        missing={() => 'This finding is gone: the object was fixed or deleted, or it is outside the selected namespace.'}
      />
    </>
  );
}

/** `inOneNamespace`: the header selects one namespace, so rows name objects without it (phones need the room). */
function findingColumns(codes: ReadonlyMap<string, CodeInfo>, inOneNamespace: boolean): DataColumn<FindingRow>[] {
  return [
    {
      id: 'level',
      header: 'Level',
      value: (row) => row.level,
      facet: true,
      width: '5.25rem',
      cell: (row) => <LevelTag level={row.level} />,
    },
    {
      id: 'code',
      header: 'Code',
      value: (row) => row.code,
      facet: true,
      width: '4.5rem',
      cell: (row) => {
        const info = codes.get(row.code);
        return (
          <abbr className={styles.code} title={info ? `${info.name}: ${info.description}` : undefined}>
            {row.code}
          </abbr>
        );
      },
    },
    {
      id: 'finding',
      header: 'Finding',
      value: (row) => `${row.kind} ${objectLabel(row)} ${row.message}`,
      width: 'minmax(8rem, 3fr)',
      cell: (row) => (
        <span className={styles.finding}>
          <span className={styles.clip}>
            <span className="muted">{row.kind}</span> <ObjectLink row={row} short={inOneNamespace} />
          </span>
          <span className={styles.clip} title={row.message}>
            {row.message}
          </span>
        </span>
      ),
    },
    { id: 'kind', header: 'Kind', value: (row) => row.kind, facet: true, width: 'minmax(7rem, 0.8fr)', hideBelow: 1200, cell: (row) => row.kind },
    {
      id: 'namespace',
      header: 'Namespace',
      value: (row) => row.namespace ?? '(cluster)',
      facet: true,
      width: 'minmax(7rem, 0.8fr)',
      hideBelow: 1400,
      cell: (row) => row.namespace ?? <span className="muted">cluster</span>,
    },
    {
      id: 'path',
      header: 'Field',
      value: (row) => row.path ?? '',
      width: 'minmax(8rem, 1.2fr)',
      hideBelow: 900,
      cell: (row) => (row.path ? <code className={styles.clip}>{row.path}</code> : null),
    },
  ];
}

/** The object a finding is on, linked to the page that shows it (where it has one). */
function ObjectLink({ row, short = false }: { row: FindingRow; short?: boolean }) {
  const label = short ? row.name : objectLabel(row);
  if (!row.namespace || !hasObjectPage(row.kind)) return <>{label}</>;
  return <Link href={objectHref({ kind: row.kind, namespace: row.namespace, name: row.name })}>{label}</Link>;
}

function LevelCounts({ counts }: { counts: Record<Level, number> }) {
  return (
    <ul className={styles.counts} aria-label="Findings by level">
      {LEVELS.map((level) => (
        <li key={level} className={`${styles.count} ${counts[level] > 0 ? styles[level] : ''}`}>
          <strong>{counts[level]}</strong> {PLURAL[level][counts[level] === 1 ? 0 : 1]}
        </li>
      ))}
    </ul>
  );
}

const shortName = (kind: string) => kind.slice(kind.indexOf('/') + 1);
// Gateway API's Gateway and Istio's share a name: such kinds are named with their group.
const sharedNames = new Set(
  Object.values(K)
    .map(shortName)
    .filter((name, i, all) => all.indexOf(name) !== i),
);
const kindLabel = (kind: string) => (sharedNames.has(shortName(kind)) ? `${shortName(kind)} (${kind.slice(0, kind.indexOf('/'))})` : shortName(kind));

function NotAnalyzed({ kinds }: { kinds: ValidationView['notLoaded'] }) {
  return (
    <details className={styles.notAnalyzed}>
      <summary>
        Not analyzed ({kinds.length} kind{kinds.length === 1 ? '' : 's'}): {kinds.map((k) => kindLabel(k.kind)).join(', ')}
      </summary>
      <p className="muted">References into these kinds are not reported as missing.</p>
      <ul>
        {kinds.map((k) => (
          <li key={k.kind}>
            <code>{k.kind}</code>: {k.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}

function FindingDetails({ row, code }: { row: FindingRow; code: CodeInfo | undefined }) {
  return (
    <dl className="facts">
      <dt>Level</dt>
      <dd>
        <LevelTag level={row.level} />
      </dd>
      <dt>Code</dt>
      <dd>
        <code>{row.code}</code> {code?.name}
        {code && <p className={styles.description}>{code.description}</p>}
      </dd>
      <dt>Message</dt>
      <dd>{row.message}</dd>
      <dt>Object</dt>
      <dd>
        {row.kind} <ObjectLink row={row} /> <span className="muted">({row.apiVersion})</span>
      </dd>
      {row.path && (
        <>
          <dt>Field</dt>
          <dd>
            <code>{row.path}</code>
          </dd>
        </>
      )}
      <dt>Analyzer</dt>
      <dd>
        <code>{row.analyzer}</code>
      </dd>
    </dl>
  );
}
