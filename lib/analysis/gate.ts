// The gate before every write: what a change does to the findings, and whether that stops it.
// Pure (no I/O, no zod: the review page imports it too): lib/http/audited-write.ts asks the cluster's analysis for the FindingsDiff
// and uses these rules to decide, word the refusal and record an override.
import type { Change, FindingsDiff } from './engine';
import type { AnalysisObject, Finding } from './types';

/**
 * What the analysis says about a change: the findings it adds and removes, the existing
 * Error-level findings on destinations it starts sending traffic to (`routedTo`, see
 * gateAnalysis), and whether that refuses it.
 */
export interface GateVerdict {
  added: Finding[];
  removed: Finding[];
  routedTo: Finding[];
  blocking: boolean;
}

/**
 * What a preview answers about the analysis. `unavailable` when the cluster's analysis could not
 * be asked (its caches are not synced, it could not load, it failed): the change is then not
 * blocked, and the page says the findings were not checked. A gate that refused every write
 * while the console starts or the API server is flaky would stop an emergency fix; the write
 * still passes the API server's own validation.
 */
export type GateAnalysis = GateVerdict | { unavailable: string };

/** An admin's override of a blocking analysis, as the request carries it (checked in lib/http/audited-write.ts). */
export interface Override {
  reason: string;
}

/** A finding as the audit entry keeps it: enough to tell what was overridden, bounded. */
export interface OverriddenFinding {
  code: string;
  message: string;
  /** `Kind namespace/name`, as the CLI names an origin. */
  origin: string;
  path?: string;
}

/** What an applied override records in the audit entry. */
export interface OverrideRecord {
  reason: string;
  findings: OverriddenFinding[];
}

const sameOrigin = (a: Finding, b: Finding) =>
  a.origin.kind === b.origin.kind &&
  a.origin.apiVersion === b.origin.apiVersion &&
  a.origin.namespace === b.origin.namespace &&
  a.origin.name === b.origin.name;
const sameFinding = (a: Finding, b: Finding) => a.code === b.code && sameOrigin(a, b) && a.message === b.message && a.path === b.path;

/**
 * The Error-level findings a change adds, leaving out those it only moves: removing an entry
 * before a broken one shifts the broken one's path (`route[2]` becomes `route[1]`), and the same
 * finding (code, object, message) at another path is not new.
 */
function addedErrors(added: readonly Finding[], removed: readonly Finding[]): Finding[] {
  return added.filter((f) => f.level === 'Error' && !removed.some((r) => r.code === f.code && sameOrigin(r, f) && r.message === f.message));
}

/** The findings that refuse a change: the Error-level ones it adds, and those on destinations it starts sending traffic to. */
export const blockingFindings = (verdict: Pick<GateVerdict, 'added' | 'removed' | 'routedTo'>): Finding[] => [
  ...addedErrors(verdict.added, verdict.removed),
  ...verdict.routedTo,
];

/** A finding's path (`spec.http[0].route[1].destination.subset`, `metadata.annotations["a.b/c"]`) as keys and indexes. */
export function pathTokens(path: string): (string | number)[] {
  const tokens: (string | number)[] = [];
  for (const [, key, index, quoted] of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]/g))
    tokens.push(index !== undefined ? Number(index) : (key ?? quoted ?? ''));
  return tokens;
}

const valueAt = (object: unknown, tokens: readonly (string | number)[]): unknown =>
  tokens.reduce<unknown>((node, token) => (node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[token] : undefined), object);

/** The route entry a finding is about (`spec.http[0].route[2]` of `…route[2].destination.subset`), if it is about one. */
export function routeEntryOf(path: string): (string | number)[] | undefined {
  const tokens = pathTokens(path);
  const at = tokens.findLastIndex((token, i) => token === 'route' && typeof tokens[i + 1] === 'number');
  return at < 0 ? undefined : tokens.slice(0, at + 2);
}

/** The share of a route's traffic an entry gets: its weight; a lone destination without one gets all (as in Istio). */
function trafficShare(object: unknown, entry: readonly (string | number)[]): number {
  const list = valueAt(object, entry.slice(0, -1));
  if (!Array.isArray(list)) return 0;
  const target = list[entry.at(-1) as number] as { weight?: unknown } | undefined;
  if (!target) return 0;
  return typeof target.weight === 'number' ? target.weight : list.length === 1 ? 100 : 0;
}

/**
 * The verdict on a change. `diff` is what the change does to the findings. With `object` (the
 * changed object's findings now, and the object before and after the change) the gate also
 * refuses a change that starts sending traffic to a destination with an Error-level finding:
 * a 0 % destination on an undefined subset is reported (IST0101) before any traffic goes to it,
 * and raising its weight adds no finding, but sends requests where none can arrive. Errors
 * elsewhere (a destination that already had traffic) do not hold a change back: the gate
 * refuses making things worse, not touching an object that is already broken.
 */
export function gateAnalysis(diff: FindingsDiff, object?: { current: readonly Finding[]; before: unknown; after: unknown }): GateVerdict {
  const routedTo = (object?.current ?? []).filter((finding) => {
    if (finding.level !== 'Error' || finding.path === undefined || diff.removed.some((removed) => sameFinding(removed, finding))) return false;
    const entry = routeEntryOf(finding.path);
    return entry !== undefined && trafficShare(object!.before, entry) === 0 && trafficShare(object!.after, entry) > 0;
  });
  const verdict = { added: diff.added, removed: diff.removed, routedTo };
  return { ...verdict, blocking: blockingFindings(verdict).length > 0 };
}

export const isBlocking = (analysis: GateAnalysis | undefined): analysis is GateVerdict =>
  analysis !== undefined && 'blocking' in analysis && analysis.blocking;

/** `Kind namespace/name`, as istioctl analyze names an origin. */
export const originName = (finding: Finding) =>
  `${finding.origin.kind} ${finding.origin.namespace ? `${finding.origin.namespace}/` : ''}${finding.origin.name}`;

/** A finding in one line: `IST0101 (VirtualService shop/cart): message`. */
export const findingLine = (finding: Finding) => `${finding.code} (${originName(finding)}): ${finding.message}`;

/** The refusal of a blocked change, naming its findings (at most a few, then how many more). */
export function refusalMessage(verdict: GateVerdict, shown = 3): string {
  const blocking = blockingFindings(verdict);
  const named = blocking.slice(0, shown).map(findingLine).join('; ');
  const more = blocking.length > shown ? `; and ${blocking.length - shown} more` : '';
  return `${blockedBecause(verdict)}: ${named}${more}. Change the draft so it does not, or ask an admin to override the analysis with a reason.`;
}

/** Why a verdict refuses its change, in a clause: what it adds, where it sends traffic, or both. */
export function blockedBecause(verdict: GateVerdict): string {
  const count = (n: number) => (n === 1 ? 'an Error-level finding' : `${n} Error-level findings`);
  const added = addedErrors(verdict.added, verdict.removed).length;
  const routed = verdict.routedTo.length;
  const adds = added ? `this change adds ${count(added)}` : '';
  const sends = routed ? `${added ? 'and ' : 'this change '}sends traffic to a destination with ${count(routed)}` : '';
  return [adds, sends].filter(Boolean).join(' ');
}

/** The audit's record of an override: the reason and the findings it let in (capped, texts bounded). */
export function overrideRecord(override: Override, blocking: readonly Finding[], limit = 20): OverrideRecord {
  return {
    reason: override.reason,
    findings: blocking.slice(0, limit).map((finding) => ({
      code: finding.code,
      message: finding.message.slice(0, 500),
      origin: originName(finding).slice(0, 400),
      ...(finding.path ? { path: finding.path.slice(0, 300) } : {}),
    })),
  };
}

const isObject = (value: unknown): value is AnalysisObject =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as AnalysisObject).kind === 'string' &&
  typeof (value as AnalysisObject).metadata?.name === 'string';

/**
 * The analysis changes a write makes, from the dry run's before and after: the object as it
 * would be stored, or its removal. Nothing when the dry run returned no object.
 */
export function changesOfWrite(before: unknown, after: unknown): Change[] {
  if (isObject(after)) return [{ type: 'upsert', object: after }];
  if (isObject(before)) return [{ type: 'delete', object: before }];
  return [];
}
