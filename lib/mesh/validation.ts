// The Validation view of the analysis' findings: one flat row per finding, filtered by namespace,
// level, code and kind, with counts per level and the catalogue entries of the codes present; and
// the per-object summary the Traffic, Security and Resilience rows show as a badge. Pure (the
// browser imports it too).
import type { CodeInfo } from '@/lib/analysis/codes';
import { K, kindOf } from '@/lib/analysis/kinds';
import { LEVELS, type Finding, type Level } from '@/lib/analysis/types';

/** One finding as /api/validation answers it. */
export interface FindingRow {
  code: string;
  level: Level;
  message: string;
  /** The object's kind (`VirtualService`) and apiVersion (`networking.istio.io/v1`). */
  kind: string;
  apiVersion: string;
  /** The namespace the finding concerns: the object's, or for a Namespace the namespace itself; absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
  path?: string;
  analyzer: string;
}

/** A kind the analysis could not read, and why. */
export interface KindNotLoaded {
  kind: string;
  reason: string;
}

export interface ValidationView {
  items: FindingRow[];
  counts: Record<Level, number>;
  /** The catalogue entry of every code in `items`, in code order. */
  codes: CodeInfo[];
  notLoaded: KindNotLoaded[];
  analysis: { synced: boolean; objects: number; lastError?: string };
}

export interface ValidationFilter {
  namespace?: string;
  level?: Level;
  code?: string;
  /** `VirtualService`, or `networking.istio.io/VirtualService` to tell two kinds of one name apart. */
  kind?: string;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

export function findingRow(finding: Finding): FindingRow {
  const { origin } = finding;
  const namespace = origin.namespace ?? (kindOf(origin) === K.Namespace ? origin.name : undefined);
  return {
    code: finding.code,
    level: finding.level,
    message: finding.message,
    kind: origin.kind,
    apiVersion: origin.apiVersion,
    ...(namespace !== undefined ? { namespace } : {}),
    name: origin.name,
    ...(finding.path ? { path: finding.path } : {}),
    analyzer: finding.analyzer,
  };
}

/** Whether a row is of `kind` (`VirtualService` or `group/VirtualService`). */
export function isOfKind(row: Pick<FindingRow, 'kind' | 'apiVersion'>, kind: string): boolean {
  const slash = kind.indexOf('/');
  if (slash < 0) return row.kind === kind;
  return row.kind === kind.slice(slash + 1) && groupOf(row.apiVersion) === kind.slice(0, slash);
}

/** The findings' rows that pass the filter, in the analysis' order (most severe first). */
export function findingRows(findings: readonly Finding[], filter: ValidationFilter): FindingRow[] {
  return findings
    .filter((f) => !filter.level || f.level === filter.level)
    .filter((f) => !filter.code || f.code === filter.code)
    .map(findingRow)
    .filter((row) => !filter.namespace || row.namespace === filter.namespace)
    .filter((row) => !filter.kind || isOfKind(row, filter.kind));
}

/**
 * The view of some rows. `describe` is the code catalogue's lookup (lib/analysis/codes.ts
 * codeInfo), passed in so the browser, which imports this module for the badges, does not load
 * the catalogue.
 */
export function validationView(
  items: FindingRow[],
  notLoaded: KindNotLoaded[],
  analysis: ValidationView['analysis'],
  describe: (code: string) => CodeInfo,
): ValidationView {
  const counts = Object.fromEntries(LEVELS.map((level) => [level, 0])) as Record<Level, number>;
  for (const row of items) counts[row.level]++;
  const codes = [...new Set(items.map((row) => row.code))].sort().map(describe);
  return { items, counts, codes, notLoaded, analysis };
}

/** What a row's badge shows for one object: its most severe level and how many findings it has. */
export interface FindingsSummary {
  level: Level;
  count: number;
  /** The findings' messages, for the badge's tooltip. */
  messages: string[];
}

export const objectSummaryKey = (kind: string, namespace: string, name: string) => `${kind}|${namespace}|${name}`;

const LEVEL_RANK: Record<Level, number> = { Error: 0, Warning: 1, Info: 2 };

/** Every object's summary, by objectSummaryKey, for the badges of a page's rows (one pass, not one per row). */
export function summarizeByObject(items: readonly FindingRow[]): Map<string, FindingsSummary> {
  const summaries = new Map<string, FindingsSummary>();
  for (const row of items) {
    const key = objectSummaryKey(row.kind, row.namespace ?? '', row.name);
    const known = summaries.get(key);
    if (!known) {
      summaries.set(key, { level: row.level, count: 1, messages: [`${row.code} ${row.message}`] });
      continue;
    }
    known.count++;
    known.messages.push(`${row.code} ${row.message}`);
    if (LEVEL_RANK[row.level] < LEVEL_RANK[known.level]) known.level = row.level;
  }
  return summaries;
}
