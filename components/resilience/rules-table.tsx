'use client';

import { useCallback, useMemo } from 'react';
import { stringify } from 'yaml';
import type { DataColumn } from '@/components/ui/data-table';
import { DrawerTable } from '@/components/ui/drawer-table';
import { PageSection } from '@/components/ui/page-section';
import type { BreakerStatus } from '@/lib/metrics/resilience';
import type { ResilienceView } from '@/lib/queries/resilience';
import { BREAKER_NUMBERS, BreakerState, breakerNumber, breakerWord, serviceOf, type Breakers } from './breaker-state';
import { PolicyEditor } from './policy-editor';
import { groupSummary, setFieldCount, type PolicyGroup } from './policy-summary';
import styles from './resilience.module.css';
import { FindingsBadge } from '@/components/validation/findings-badge';
import { useFindingsByObject } from '@/lib/queries/validation';

type Rule = ResilienceView['rules'][number];

const ruleId = (r: Rule) => `${r.namespace}/${r.name}`;
const topPolicy = (r: Rule) => r.targets[0]?.policy ?? {};

function Chips({ items, empty = 'unset' }: { items: string[]; empty?: string }) {
  if (items.length === 0) return <span className={styles.unset}>{empty}</span>;
  // At most two lines in the row (the title and the drawer have them all).
  return (
    <span className={styles.chips} title={items.join(' · ')}>
      {items.map((text) => (
        <span key={text} className={styles.chip} title={text}>
          {text}
        </span>
      ))}
    </span>
  );
}

const groupColumn = (id: PolicyGroup, header: string, extra: Partial<DataColumn<Rule>>): DataColumn<Rule> => ({
  id,
  header,
  cell: (r) => <Chips items={groupSummary(topPolicy(r), id)} />,
  value: (r) => groupSummary(topPolicy(r), id).join(' · ') || 'unset',
  ...extra,
});

/**
 * One row per DestinationRule: a rule is what one write changes (one resourceVersion), and
 * most subsets inherit its top-level policy, so subsets with a policy of their own show as
 * marked chips in the row and get their own editor in the drawer.
 */
export function RulesTable({ rules, breakers, allNamespaces }: { rules: Rule[]; breakers: Breakers; allNamespaces: boolean }) {
  const statusOf = useCallback(
    (r: Rule): BreakerStatus | undefined => {
      const s = serviceOf(r.host, r.namespace);
      return breakers.of(s.namespace, s.service);
    },
    [breakers],
  );
  const findings = useFindingsByObject();
  const columns = useMemo<DataColumn<Rule>[]>(
    () => [
      {
        id: 'host',
        header: 'Host',
        cell: (r) => (
          <span>
            <strong>{r.host}</strong> <FindingsBadge summaries={findings} kind="DestinationRule" namespace={r.namespace} name={r.name} />
          </span>
        ),
        value: (r) => r.host,
        width: 'minmax(8rem, 1.2fr)',
      },
      ...(allNamespaces
        ? [
            {
              id: 'namespace',
              header: 'Namespace',
              cell: (r: Rule) => r.namespace,
              value: (r: Rule) => r.namespace,
              facet: true,
              width: 'minmax(6rem, 0.8fr)',
              hideBelow: 1100,
            },
          ]
        : []),
      groupColumn('loadBalancer', 'Load balancing', { width: 'minmax(7rem, 0.9fr)', hideBelow: 900 }),
      groupColumn('connectionPool', 'Connection pool', { width: 'minmax(12rem, 2fr)', hideBelow: 1000 }),
      groupColumn('outlierDetection', 'Outlier detection', { width: 'minmax(12rem, 2fr)', hideBelow: 700 }),
      groupColumn('tls', 'TLS', { facet: true, width: 'minmax(6rem, 0.8fr)', hideBelow: 1400 }),
      {
        id: 'subsets',
        header: 'Subsets',
        cell: (r) => (
          <span
            className={styles.chips}
            title={r.targets
              .slice(1)
              .map((t) => t.subset)
              .join(', ')}
          >
            {/* Subsets with a policy of their own first: the cell shows two lines at most. */}
            {r.targets
              .slice(1)
              .toSorted((a, b) => Number(a.inherits) - Number(b.inherits))
              .map((t) => (
                <span
                  key={t.label}
                  className={`${styles.chip} ${t.inherits ? '' : styles.chipOwn}`}
                  title={t.inherits ? `${t.subset}: inherits, ${t.endpoints} endpoints` : `${t.subset}: own policy, ${t.endpoints} endpoints`}
                >
                  {t.subset}
                  {!t.inherits && ` · ${setFieldCount(t.policy)} own`}
                </span>
              ))}
            {r.targets.length === 1 && <span className={styles.unset}>none</span>}
          </span>
        ),
        value: (r) => r.targets.length - 1,
        width: 'minmax(7rem, 1.2fr)',
        hideBelow: 800,
      },
      {
        id: 'live',
        header: 'Live',
        cell: (r) => <BreakerState breakers={breakers} status={statusOf(r)} />,
        value: (r) => breakerWord(breakers, statusOf(r)),
        facet: true,
        width: 'minmax(6rem, 1fr)',
      },
    ],
    [breakers, statusOf, allNamespaces, findings],
  );
  return (
    <PageSection title="Traffic policies" note="One row per DestinationRule; open a row to edit its policy and its subsets'.">
      <DrawerTable<Rule>
        label="DestinationRules"
        rows={rules}
        columns={columns}
        getRowId={ruleId}
        urlKey="rules"
        openKey="rule"
        rowHeight={44}
        empty="No DestinationRules match."
        title={(_, id) => `DestinationRule ${id}`}
        missing={(id) => `DestinationRule ${id} is not in this view: it was deleted, or it is outside the selected namespace.`}
        details={(rule) => <RuleDetails rule={rule} status={statusOf(rule)} breakers={breakers} />}
      />
    </PageSection>
  );
}

function RuleDetails({ rule, status, breakers }: { rule: Rule; status: BreakerStatus | undefined; breakers: Breakers }) {
  return (
    <>
      <p>
        Host <strong>{rule.host}</strong> · live: <BreakerState breakers={breakers} status={status} />
      </p>
      {status && (
        <dl className={styles.facts} aria-label={`Live breaker numbers of ${rule.host}`}>
          {BREAKER_NUMBERS.map((n) => (
            <div key={n.key}>
              <dt>{n.label}</dt>
              <dd>{breakerNumber(status, n)}</dd>
            </div>
          ))}
        </dl>
      )}
      {rule.targets.map((t) => (
        <PolicyEditor key={t.label} rule={rule} target={t} />
      ))}
      {rule.portLevelSettings.length > 0 && (
        <details>
          <summary>Port-level settings ({rule.portLevelSettings.length})</summary>
          <pre className="diff">{stringify(rule.portLevelSettings)}</pre>
        </details>
      )}
    </>
  );
}
