// Istio's HTTPMatchRequest: a form model the match editor edits (every field, lossless round
// trip) and the checks Istio's validation makes (pilot's virtualservice validation: RE2 regexes
// of at most 1024 characters, header names, ports 1–65535, gateway and label names).
import { isDnsLabel, isDnsSubdomain, isLabelValue, labelKeyProblem } from './names';
import type { HTTPMatchRequest, StringMatch } from './types';

/** How a string is compared; `present` is the empty StringMatch ({}): the header or parameter is there. */
export type Operator = 'exact' | 'prefix' | 'regex' | 'present';

/** A top-level StringMatch field (uri, scheme, method, authority); `any` is the field left out. */
export interface StringField {
  operator: Operator | 'any';
  value: string;
}

export interface KeyedCondition {
  key: string;
  operator: Operator;
  value: string;
}

export interface MatchForm {
  name: string;
  uri: StringField;
  scheme: StringField;
  method: StringField;
  authority: StringField;
  /** Left out (undefined) or as stored, so an explicit `false` survives. */
  ignoreUriCase: boolean | undefined;
  headers: KeyedCondition[];
  withoutHeaders: KeyedCondition[];
  queryParams: KeyedCondition[];
  sourceLabels: { key: string; value: string }[];
  /** Comma-separated, as typed. */
  gateways: string;
  port: string;
  sourceNamespace: string;
  statPrefix: string;
}

export const STRING_FIELDS = ['uri', 'scheme', 'method', 'authority'] as const;
export const CONDITION_FIELDS = ['headers', 'withoutHeaders', 'queryParams'] as const;
export type StringFieldName = (typeof STRING_FIELDS)[number];
export type ConditionFieldName = (typeof CONDITION_FIELDS)[number];

const operatorOf = (m: StringMatch): Operator => (['exact', 'prefix', 'regex'] as const).find((op) => m[op] !== undefined) ?? 'present';
const toField = (m: StringMatch | undefined): StringField =>
  m ? { operator: operatorOf(m), value: m.exact ?? m.prefix ?? m.regex ?? '' } : { operator: 'any', value: '' };
const toConditions = (record: Record<string, StringMatch> | undefined): KeyedCondition[] =>
  Object.entries(record ?? {}).map(([key, m]) => ({ key, operator: operatorOf(m), value: m.exact ?? m.prefix ?? m.regex ?? '' }));

const fromOperator = (operator: Operator, value: string): StringMatch => (operator === 'present' ? {} : ({ [operator]: value } as StringMatch));

/** A match block as the editor's form. */
export function toMatchForm(match: HTTPMatchRequest): MatchForm {
  return {
    name: match.name ?? '',
    uri: toField(match.uri),
    scheme: toField(match.scheme),
    method: toField(match.method),
    authority: toField(match.authority),
    ignoreUriCase: match.ignoreUriCase,
    headers: toConditions(match.headers),
    withoutHeaders: toConditions(match.withoutHeaders),
    queryParams: toConditions(match.queryParams),
    sourceLabels: Object.entries(match.sourceLabels ?? {}).map(([key, value]) => ({ key, value })),
    gateways: (match.gateways ?? []).join(', '),
    port: match.port === undefined ? '' : String(match.port),
    sourceNamespace: match.sourceNamespace ?? '',
    statPrefix: match.statPrefix ?? '',
  };
}

/** An empty form: a new match block. */
export const emptyMatchForm = (): MatchForm => toMatchForm({});

/**
 * The match block a form describes, fields in Istio's order and empty ones left out. A port that
 * is not a number is kept as NaN so validation names it (never silently dropped).
 */
export function fromMatchForm(form: MatchForm): HTTPMatchRequest {
  const match: HTTPMatchRequest = {};
  if (form.name.trim()) match.name = form.name.trim();
  for (const field of STRING_FIELDS) if (form[field].operator !== 'any') match[field] = fromOperator(form[field].operator as Operator, form[field].value);
  if (form.ignoreUriCase !== undefined) match.ignoreUriCase = form.ignoreUriCase;
  for (const field of CONDITION_FIELDS)
    if (form[field].length) match[field] = Object.fromEntries(form[field].map((c) => [c.key, fromOperator(c.operator, c.value)]));
  if (form.sourceLabels.length) match.sourceLabels = Object.fromEntries(form.sourceLabels.map((l) => [l.key, l.value]));
  const gateways = form.gateways
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  if (gateways.length) match.gateways = gateways;
  if (form.port.trim()) match.port = /^\d+$/.test(form.port.trim()) ? Number(form.port.trim()) : Number.NaN;
  if (form.sourceNamespace.trim()) match.sourceNamespace = form.sourceNamespace.trim();
  if (form.statPrefix.trim()) match.statPrefix = form.statPrefix.trim();
  return match;
}

// RE2 (Go's regexp, which Istio compiles with) has no lookaround, backreferences or atomic groups.
const NOT_RE2: [RegExp, string][] = [
  [/\(\?<?[=!]/, 'lookahead and lookbehind'],
  [/\\[1-9]|\\k</, 'backreferences'],
  [/\(\?>/, 'atomic groups'],
  [/[*+?}]\+/, 'possessive quantifiers'],
];

/** Why `regex` is not a regular expression Istio accepts, or undefined when it is. */
export function re2Problem(regex: string): string | undefined {
  if (regex === '') return 'a regex must not be empty';
  if (regex.length > 1024) return `a regex may be at most 1024 characters (this one has ${regex.length})`;
  for (const [pattern, what] of NOT_RE2) if (pattern.test(regex.replace(/\\\\/g, ''))) return `RE2 does not support ${what}`;
  // RE2 syntax JavaScript spells differently: named groups (?P<n>…) and inline flags (?i) / (?i:…).
  const js = regex
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?[imsU-]+\)/g, '')
    .replace(/\(\?[imsU-]+:/g, '(?:');
  try {
    new RegExp(js);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

const HEADER_NAME = /^[-_a-z0-9]+$/;
const CLAIM_HEADER = /^@request\.auth\.claims(\.[^.\s]+|\[[^\]]+\])+$/;

function gatewayProblem(gateway: string): string | undefined {
  if (gateway === 'mesh') return undefined;
  const parts = gateway.split('/');
  if (parts.length > 2) return `"${gateway}" is not a gateway: write "mesh", a name, or namespace/name`;
  if (parts.length === 2 && !isDnsLabel(parts[0]!)) return `"${gateway}": "${parts[0]}" is not a namespace name`;
  if (!isDnsSubdomain(parts.at(-1)!)) return `"${gateway}": "${parts.at(-1)}" is not a gateway name (lowercase DNS name)`;
  return undefined;
}

function stringMatchProblems(m: StringMatch, where: string, allowPrefix = true): string[] {
  const set = (['exact', 'prefix', 'regex'] as const).filter((op) => m[op] !== undefined);
  if (set.length > 1) return [`${where}: use one of exact, prefix or regex (it has ${set.join(' and ')})`];
  if (!allowPrefix && m.prefix !== undefined) return [`${where}: Istio matches query parameters exactly or by regex, not by prefix`];
  if (m.regex !== undefined) {
    const problem = re2Problem(m.regex);
    if (problem) return [`${where}: "${m.regex}" is not a valid regular expression (RE2: ${problem})`];
  }
  return [];
}

/**
 * What Istio would refuse in these match blocks, as messages a person can act on ("Match 1, header
 * x-Plan: …"); empty when every block is valid.
 */
export function matchProblems(blocks: HTTPMatchRequest[]): string[] {
  const found: string[] = [];
  blocks.forEach((m, b) => {
    const at = `Match ${b + 1}`;
    for (const field of STRING_FIELDS) if (m[field]) found.push(...stringMatchProblems(m[field], `${at}, ${field}`));
    for (const field of ['headers', 'withoutHeaders'] as const) {
      for (const [name, sm] of Object.entries(m[field] ?? {})) {
        const where = `${at}, ${field === 'headers' ? 'header' : 'without header'} "${name}"`;
        if (name === '') found.push(`${at}: a header name must not be empty`);
        else if (!HEADER_NAME.test(name) && !(field === 'headers' && CLAIM_HEADER.test(name)))
          found.push(`${where}: a header name is lowercase letters, digits, "-" and "_"`);
        found.push(...stringMatchProblems(sm, where));
      }
    }
    for (const [name, sm] of Object.entries(m.queryParams ?? {})) {
      if (name === '') found.push(`${at}: a query parameter name must not be empty`);
      found.push(...stringMatchProblems(sm, `${at}, query parameter "${name}"`, false));
    }
    if (m.port !== undefined && !(Number.isInteger(m.port) && m.port >= 1 && m.port <= 65535))
      found.push(`${at}: the port must be a whole number from 1 to 65535`);
    for (const gateway of m.gateways ?? []) {
      const problem = gatewayProblem(gateway);
      if (problem) found.push(`${at}, gateways: ${problem}`);
    }
    for (const [key, value] of Object.entries(m.sourceLabels ?? {})) {
      const problem = labelKeyProblem(key);
      if (problem) found.push(`${at}, source labels: ${problem}`);
      if (!isLabelValue(value)) found.push(`${at}, source label "${key}": "${value}" is not a label value (at most 63 letters, digits, "-", "_" or ".")`);
    }
    if (m.sourceNamespace !== undefined && !isDnsLabel(m.sourceNamespace))
      found.push(`${at}: the source namespace "${m.sourceNamespace}" is not a namespace name`);
  });
  return found;
}

/** Problems of the form itself that the match block cannot show (duplicate keys collapse in an object). */
export function formProblems(forms: MatchForm[]): string[] {
  const found: string[] = [];
  forms.forEach((form, b) => {
    for (const field of [...CONDITION_FIELDS, 'sourceLabels'] as const) {
      const keys = form[field].map((c) => c.key);
      for (const key of new Set(keys.filter((k, i) => keys.indexOf(k) !== i))) found.push(`Match ${b + 1}: "${key}" appears twice in ${field}`);
    }
  });
  return [...found, ...matchProblems(forms.map(fromMatchForm))];
}
