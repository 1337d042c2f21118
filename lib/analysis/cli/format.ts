// What `npm run analyze` prints and how it exits, as istioctl analyze does: findings filtered
// to the namespace asked for and by --suppress, printed at or above --output-threshold, the
// exit code from those at or above --failure-threshold. Pure.
import { stringify } from 'yaml';
import { K, kindOf } from '../kinds';
import { LEVELS, type Finding, type Level, type Origin } from '../types';
import type { OutputFormat, Suppression } from './args';

/** istioctl's exit codes (istio/istio istioctl/cmd sysexits-style values). */
export const EXIT = { ok: 0, unknown: 1, usage: 64, dataError: 65, issues: 79 } as const;

/** `Kind namespace/name`, or `Kind name` for cluster-scoped objects (istioctl's friendly name). */
export const originName = (origin: Pick<Origin, 'kind' | 'namespace' | 'name'>) =>
  origin.namespace ? `${origin.kind} ${origin.namespace}/${origin.name}` : `${origin.kind} ${origin.name}`;

/** The namespace a finding belongs to: a Namespace's own name, else its object's namespace (undefined: cluster-scoped). */
export function findingNamespace(finding: Finding): string | undefined {
  return kindOf(finding.origin) === K.Namespace ? finding.origin.name : finding.origin.namespace;
}

const atLeast = (level: Level, threshold: Level) => LEVELS.indexOf(level) <= LEVELS.indexOf(threshold);

/** A glob where `*` matches any run of characters (istioctl uses go-glob: nothing else is special). */
function globMatcher(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Whether `--suppress` entries leave this finding out. Matches `Kind ns/name` and istioctl's older `Kind name.ns`. */
export function suppressedBy(finding: Finding, suppressions: readonly Suppression[]): boolean {
  const { kind, namespace, name } = finding.origin;
  const names = [originName(finding.origin), ...(namespace ? [`${kind} ${name}.${namespace}`] : [])];
  return suppressions.some((s) => s.code === finding.code && names.some((n) => globMatcher(s.resource).test(n)));
}

/**
 * The findings istioctl keeps: those of `namespace` (undefined: all; cluster-scoped findings
 * always stay) that no suppression leaves out. The exit code is decided on these.
 */
export function selectFindings(findings: readonly Finding[], namespace: string | undefined, suppressions: readonly Suppression[]): Finding[] {
  return findings.filter((finding) => {
    const own = findingNamespace(finding);
    if (namespace !== undefined && own !== undefined && own !== namespace) return false;
    return !suppressedBy(finding, suppressions);
  });
}

export const atOrAbove = (findings: readonly Finding[], threshold: Level) => findings.filter((f) => atLeast(f.level, threshold));

/** 79 when a finding is at or above the failure threshold, else 0. */
export const exitCodeFor = (findings: readonly Finding[], failureThreshold: Level) => (atOrAbove(findings, failureThreshold).length ? EXIT.issues : EXIT.ok);

/** One finding as the JSON and YAML outputs carry it; `reference` (file:line) only for objects read from files, as istioctl. */
export interface OutputMessage {
  code: string;
  level: Level;
  message: string;
  origin: string;
  reference?: string;
}

/** Where a finding's object was written (`mesh/shop.yaml:12`), when it came from a file. */
export type ReferenceOf = (finding: Finding) => string | undefined;
const noReference: ReferenceOf = () => undefined;

export function toOutputMessage(finding: Finding, referenceOf: ReferenceOf = noReference): OutputMessage {
  const reference = referenceOf(finding);
  return { code: finding.code, level: finding.level, message: finding.message, origin: originName(finding.origin), ...(reference ? { reference } : {}) };
}

/** `Error [IST0101] (VirtualService shop/checkout) Referenced ...`, with ` file:line` inside the brackets for objects from files. */
export function textLine(finding: Finding, referenceOf: ReferenceOf = noReference): string {
  const reference = referenceOf(finding);
  return `${finding.level} [${finding.code}] (${originName(finding.origin)}${reference ? ` ${reference}` : ''}) ${finding.message}`;
}

/** The findings in the chosen format (text: one line each, nothing when there are none). */
export function render(findings: readonly Finding[], format: OutputFormat, referenceOf: ReferenceOf = noReference): string {
  const messages = () => findings.map((f) => toOutputMessage(f, referenceOf));
  if (format === 'json') return JSON.stringify(messages(), null, 2);
  if (format === 'yaml') return findings.length ? stringify(messages()).trimEnd() : '[]';
  return findings.map((f) => textLine(f, referenceOf)).join('\n');
}

/** The line istioctl writes (to standard error) when nothing is printed. */
export function cleanLine(target: { files: readonly string[]; namespace: string | undefined }): string {
  const what = target.files.length ? target.files.join('\n') : target.namespace === undefined ? 'all namespaces' : `namespace: ${target.namespace}`;
  return `\u2714 No validation issues found when analyzing ${what}.`;
}
