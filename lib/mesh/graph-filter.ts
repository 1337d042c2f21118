// The service graph's Find and Hide boxes: small boolean expressions over the graph's nodes
// and edges, modelled on Kiali's find/hide syntax (`rps > 10`, `error > 1%`, `p95 > 200ms`,
// `version = canary`, `!mtls`, `has UO`, combined with and/or/not and parentheses).
// Pure: parse → AST → compiled predicates; applyGraphFilter folds Find and Hide into what the
// canvas and the table show.
//
// Semantics, in short:
// - Each field belongs to nodes, to edges, or to both (FIELDS). A node field tested on an edge
//   matches when either end matches; an edge field tested on a node matches when any edge in or
//   out of the node matches. The lift is per test, so `not x` stays the exact complement of `x`.
// - A missing value (no P95, no mTLS report, no split share) fails every comparison, `!=` too.
// - Keywords, field names and text comparisons are case-insensitive.
// - Ratio fields read `1%` as 0.01; a bare number is a percentage too (Kiali's `error > 1`).
//   Durations take Go's form (`200ms`, `1.5s`, `1m30s`); a bare number is milliseconds.

import { parseGoDuration } from './duration';
import { errorShare, type GraphEdge, type GraphNode, type MeshGraph } from './graph';

type Scope = 'node' | 'edge' | 'both';
/** number: a plain number; ratio: 0..1, written as a percentage; ms: a duration; text: a string; choice: one of `choices`; set: any of several strings; yes: a yes/no test only. */
type ValueType = 'number' | 'ratio' | 'ms' | 'text' | 'choice' | 'set' | 'yes';
type Value = number | string | readonly string[] | boolean | null;

interface FieldSpec {
  scope: Scope;
  type: ValueType;
  /** What `field` alone (no operator) tests; default: a non-zero number, a non-empty text or set. */
  bare?: (value: Value) => boolean;
  choices?: readonly string[];
  node?: (node: GraphNode) => Value;
  edge?: (edge: GraphEdge) => Value;
  /** Shown in the help and the errors. */
  example: string;
}

const count = (flags: Record<string, number>, ...names: string[]) => names.reduce((sum, name) => sum + (flags[name] ?? 0), 0);
const findingCount = (node: GraphNode) => {
  const f = node.decoration.findings;
  return f ? f.error + f.warning + f.info : 0;
};

/** Every field, by canonical name. */
export const FIELDS = {
  // Edges.
  rps: { scope: 'edge', type: 'number', edge: (e) => e.rps, example: 'rps > 10' },
  bytes: { scope: 'edge', type: 'number', edge: (e) => e.tcpBytesPerSecond ?? 0, example: 'bytes > 1000' },
  error: { scope: 'edge', type: 'ratio', edge: (e) => errorShare(e), example: 'error > 1%' },
  '4xx': { scope: 'edge', type: 'ratio', edge: (e) => e.errors4xx, example: '4xx > 5%' },
  '5xx': { scope: 'edge', type: 'ratio', edge: (e) => e.errors5xx, example: '5xx >= 0.5%' },
  p95: { scope: 'edge', type: 'ms', edge: (e) => e.p95, bare: (v) => v !== null, example: 'p95 > 200ms' },
  protocol: { scope: 'edge', type: 'choice', choices: ['http', 'grpc', 'tcp'], edge: (e) => e.protocol, example: 'protocol = grpc' },
  // `mtls` alone: every request over mutual TLS (a missing report is not mTLS, so `!mtls` finds it).
  mtls: { scope: 'edge', type: 'ratio', edge: (e) => e.mtls, bare: (v) => v === 1, example: 'mtls < 100%' },
  // `plaintext` alone: some measured plaintext share (edges without a report are not counted).
  plaintext: { scope: 'edge', type: 'ratio', edge: (e) => (e.mtls === null ? null : 1 - e.mtls), example: 'plaintext > 10%' },
  flag: { scope: 'edge', type: 'set', edge: (e) => Object.keys(e.flags).filter((f) => (e.flags[f] ?? 0) > 0), example: 'flag = UO' },
  share: { scope: 'edge', type: 'ratio', edge: (e) => e.share ?? null, bare: (v) => v !== null, example: 'share < 50%' },
  // Nodes.
  name: { scope: 'node', type: 'text', node: (n) => n.name, example: 'name ~ pay' },
  // Service, unknown and external nodes have no app label: their name stands in.
  app: { scope: 'node', type: 'text', node: (n) => n.app ?? n.name, example: 'app = reviews' },
  version: { scope: 'node', type: 'text', node: (n) => n.version ?? '', example: 'version = canary' },
  namespace: { scope: 'node', type: 'text', node: (n) => n.namespace, example: 'namespace != istio-system' },
  host: { scope: 'node', type: 'text', node: (n) => n.host ?? '', example: 'host ~ *.svc.cluster.local' },
  kind: { scope: 'node', type: 'choice', choices: ['workload', 'service', 'gateway', 'unknown', 'external'], node: (n) => n.kind, example: 'kind = service' },
  mtlsmode: {
    scope: 'node',
    type: 'choice',
    choices: ['strict', 'permissive', 'disable', 'unset'],
    node: (n) => n.decoration.mtlsMode ?? '',
    example: 'mtlsmode = permissive',
  },
  inrps: { scope: 'node', type: 'number', node: (n) => n.traffic.inRps, example: 'inrps > 10' },
  outrps: { scope: 'node', type: 'number', node: (n) => n.traffic.outRps, example: 'outrps > 10' },
  findings: { scope: 'node', type: 'number', node: findingCount, example: 'findings > 0' },
  breaker: { scope: 'node', type: 'yes', node: (n) => n.decoration.breaker !== undefined, example: 'has breaker' },
  vs: { scope: 'node', type: 'yes', node: (n) => (n.decoration.virtualServices?.length ?? 0) > 0, example: 'has vs' },
  dr: { scope: 'node', type: 'yes', node: (n) => (n.decoration.destinationRules?.length ?? 0) > 0, example: 'has dr' },
  split: { scope: 'node', type: 'yes', node: (n) => (n.decoration.weights?.length ?? 0) > 0, example: 'has split' },
  emergency: { scope: 'node', type: 'yes', node: (n) => n.decoration.emergency !== undefined, example: 'emergency' },
  // Both: a node answered with UO/UH (pool overflow, all hosts ejected), or an edge carrying them.
  tripped: {
    scope: 'both',
    type: 'yes',
    node: (n) => (n.tripped ? n.tripped.uo + n.tripped.uh > 0 : false),
    edge: (e) => count(e.flags, 'UO', 'UH') > 0,
    example: 'tripped',
  },
} satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];
const spec = (field: FieldName): FieldSpec => FIELDS[field];

/** Other spellings people type (Kiali's among them). */
const ALIASES: Record<string, FieldName> = {
  errors: 'error',
  err: 'error',
  ns: 'namespace',
  proto: 'protocol',
  flags: 'flag',
  responseflag: 'flag',
  latency: 'p95',
  cb: 'breaker',
  circuitbreaker: 'breaker',
  virtualservice: 'vs',
  destinationrule: 'dr',
  service: 'name',
  workload: 'name',
  // Kiali's names.
  node: 'kind',
  '%error': 'error',
  '%httperror': 'error',
  responsetime: 'p95',
  rt: 'p95',
  httpin: 'inrps',
  httpout: 'outrps',
};

/** A field's canonical name from its name or alias (own keys only: "constructor" is no field). */
const canonicalField = (word: string): FieldName | undefined =>
  Object.hasOwn(FIELDS, word) ? (word as FieldName) : Object.hasOwn(ALIASES, word) ? ALIASES[word] : undefined;

export const COMPARE_OPS = ['=', '!=', '<', '<=', '>', '>=', '~', '!~'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];
const ORDER_OPS: readonly CompareOp[] = ['=', '!=', '<', '<=', '>', '>='];
const TEXT_OPS: readonly CompareOp[] = ['=', '!=', '~', '!~'];

/** The parsed expression. Numbers are in the unit they are written in: percent for ratios, milliseconds for durations. */
export type FilterExpr =
  | { type: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { type: 'not'; expr: FilterExpr }
  | { type: 'test'; field: FieldName }
  | { type: 'compare'; field: FieldName; op: CompareOp; value: number | string };

export type ParseResult = { ok: true; expr: FilterExpr | null } | { ok: false; message: string; position: number };

// ---------------------------------------------------------------------------------------------
// Lexing

type TokenType = 'word' | 'quoted' | 'op' | '(' | ')' | 'and' | 'or' | 'not' | 'end';
interface Token {
  type: TokenType;
  text: string;
  position: number;
}

const SPECIAL = new Set(['(', ')', '!', '<', '>', '=', '~', '"', "'", '&', '|']);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (type: TokenType, length: number, value = text.slice(i, i + length)) => {
    tokens.push({ type, text: value, position: i });
    i += length;
  };
  while (i < text.length) {
    const c = text[i]!;
    const two = text.slice(i, i + 2);
    if (isSpace(c)) i++;
    else if (c === '(' || c === ')') push(c, 1);
    else if (two === '&&') push('and', 2);
    else if (two === '||') push('or', 2);
    else if (two === '!=' || two === '!~' || two === '<=' || two === '>=' || two === '==') push('op', 2, two === '==' ? '=' : two);
    else if (c === '!') push('not', 1);
    else if (c === '<' || c === '>' || c === '=' || c === '~') push('op', 1);
    else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new FilterSyntaxError(`The quote at ${i + 1} is not closed: end the text with ${c}.`, i);
      tokens.push({ type: 'quoted', text: value, position: i });
      i = j + 1;
    } else if (c === '&' || c === '|') throw new FilterSyntaxError(`"${c}" alone is not an operator: write "and" (&&) or "or" (||).`, i);
    else {
      let j = i;
      while (j < text.length && !isSpace(text[j]!) && !SPECIAL.has(text[j]!)) j++;
      const word = text.slice(i, j);
      const keyword = word.toLowerCase();
      push(keyword === 'and' || keyword === 'or' || keyword === 'not' ? keyword : 'word', j - i);
    }
  }
  tokens.push({ type: 'end', text: '', position: text.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parsing: or := and ('or' and)*; and := unary ('and' unary)*; unary := ('not'|'!') unary | primary;
// primary := '(' or ')' | 'has' word | field [op value]

const fieldList = () => {
  const of = (scope: Scope) => FIELD_NAMES.filter((f) => spec(f).scope === scope).join(', ');
  return `edges: ${of('edge')}; nodes: ${of('node')}; both: ${of('both')}`;
};

/** Edit distance with swapped neighbours as one edit ("rsp" → "rps"), for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3));
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

const shown = (token: Token) => (token.type === 'end' ? 'the end' : `"${token.text}"`);

function fieldOf(token: Token): FieldName {
  const word = token.text.toLowerCase();
  const field = canonicalField(word);
  if (field) return field;
  const guess = closest(word, [...FIELD_NAMES, ...Object.keys(ALIASES)]);
  const hint = guess ? ` (did you mean ${guess}?)` : '';
  throw new FilterSyntaxError(`Unknown field "${token.text}"${hint}. Fields: ${fieldList()}. Example: rps > 10 and not mtls.`, token.position);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const FLAG = /^[a-z]{2,6}$/i;

function readValue(field: FieldName, token: Token): number | string {
  const s = spec(field);
  const text = token.text;
  switch (s.type) {
    case 'number':
      if (token.type === 'word' && NUMBER.test(text)) return Number(text);
      throw new FilterSyntaxError(`"${text}" is not a number: ${field} compares with a number, e.g. ${s.example}.`, token.position);
    case 'ratio': {
      const percent = text.endsWith('%') ? text.slice(0, -1) : text;
      if (token.type === 'word' && NUMBER.test(percent)) return Number(percent);
      throw new FilterSyntaxError(`"${text}" is not a percentage: ${field} compares with a share such as 1% or 0.5%, e.g. ${s.example}.`, token.position);
    }
    case 'ms': {
      // A plain number, or one in ms, is read exactly (Go's parser rounds to nanoseconds).
      const millis = text.toLowerCase().endsWith('ms') ? text.slice(0, -2) : text;
      if (token.type === 'word' && NUMBER.test(millis)) return Number(millis);
      const parsed = token.type === 'word' ? parseGoDuration(text) : undefined;
      if (parsed?.ok) return Number(parsed.nanos) / 1e6;
      throw new FilterSyntaxError(`"${text}" is not a duration: write it as 200ms, 1.5s or 1m30s, e.g. ${s.example}.`, token.position);
    }
    case 'choice': {
      const choice = text.toLowerCase();
      if (s.choices!.includes(choice)) return choice;
      throw new FilterSyntaxError(`"${text}" is not a ${field}: use one of ${s.choices!.join(', ')}.`, token.position);
    }
    case 'set':
      if (FLAG.test(text) || text.includes('*') || text.includes('?')) return text.toUpperCase();
      throw new FilterSyntaxError(`"${text}" is not an Envoy response flag: use one such as UO, UH, UF, UT, URX, NR, RL, DC.`, token.position);
    case 'text':
      return text;
    case 'yes':
      throw new FilterSyntaxError(`${field} is a yes/no test and takes no value: write "${field}" or "not ${field}".`, token.position);
  }
}

function allowedOps(field: FieldName): readonly CompareOp[] {
  const type = spec(field).type;
  if (type === 'number' || type === 'ratio' || type === 'ms') return ORDER_OPS;
  if (type === 'yes') return [];
  return TEXT_OPS;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private get current(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    return this.tokens[this.index++]!;
  }

  parse(): FilterExpr | null {
    if (this.current.type === 'end') return null;
    const expr = this.or();
    const token = this.current;
    if (token.type === ')') throw new FilterSyntaxError(`")" at ${token.position + 1} closes nothing: remove it or add "(" before.`, token.position);
    if (token.type !== 'end') throw new FilterSyntaxError(`Expected "and" or "or" before ${shown(token)}.`, token.position);
    return expr;
  }

  private or(): FilterExpr {
    return this.chain('or', () => this.and());
  }

  private and(): FilterExpr {
    return this.chain('and', () => this.unary());
  }

  /** operand (connective operand)*, grouped to the left. */
  private chain(type: 'and' | 'or', operand: () => FilterExpr): FilterExpr {
    let left = operand();
    while (this.current.type === type) {
      this.next();
      left = { type, left, right: operand() };
    }
    return left;
  }

  private unary(): FilterExpr {
    if (this.current.type === 'not') {
      this.next();
      return { type: 'not', expr: this.unary() };
    }
    return this.primary();
  }

  private primary(): FilterExpr {
    const token = this.next();
    if (token.type === '(') {
      const expr = this.or();
      const close = this.next();
      if (close.type !== ')') throw new FilterSyntaxError(`Missing ")" for the "(" at ${token.position + 1} (found ${shown(close)}).`, close.position);
      return expr;
    }
    if (token.type === 'word' && ['has', 'is'].includes(token.text.toLowerCase())) return this.has(token.text.toLowerCase());
    if (token.type !== 'word') {
      throw new FilterSyntaxError(`Expected a field or "(" but found ${shown(token)}. Fields: ${fieldList()}.`, token.position);
    }
    const field = fieldOf(token);
    if (this.current.type !== 'op') return { type: 'test', field };
    const opToken = this.next();
    const op = opToken.text as CompareOp;
    const ops = allowedOps(field);
    if (!ops.includes(op)) {
      const kind = spec(field).type;
      const what = kind === 'yes' ? 'a yes/no test' : kind === 'text' || kind === 'choice' || kind === 'set' ? 'text' : 'a number';
      const use = ops.length > 0 ? `compare it with ${ops.join(' ')}` : `write "${field}" or "not ${field}"`;
      throw new FilterSyntaxError(`"${op}" does not apply to ${field}, which is ${what}: ${use}.`, opToken.position);
    }
    const valueToken = this.next();
    if (valueToken.type !== 'word' && valueToken.type !== 'quoted') {
      throw new FilterSyntaxError(`Expected a value after "${op}" but found ${shown(valueToken)}, e.g. ${spec(field).example}.`, valueToken.position);
    }
    return { type: 'compare', field, op, value: readValue(field, valueToken) };
  }

  /** `has UO` (a response flag) or `has vs`, `is tripped` (any field alone: Kiali's `has cb`, `has vs`). */
  private has(keyword: string): FilterExpr {
    const target = this.next();
    if (target.type !== 'word')
      throw new FilterSyntaxError(`Expected a response flag or a field after "${keyword}", e.g. has UO, has breaker, is tripped.`, target.position);
    const word = target.text.toLowerCase();
    if (canonicalField(word)) return { type: 'test', field: fieldOf(target) };
    if (!FLAG.test(word))
      throw new FilterSyntaxError(`"${target.text}" after "has" is neither a field nor a response flag (such as UO, UH, UT, RL).`, target.position);
    return { type: 'compare', field: 'flag', op: '=', value: target.text.toUpperCase() };
  }
}

/** The expression of a Find or Hide box; empty text is `expr: null` (nothing matches). */
export function parseGraphFilter(text: string): ParseResult {
  try {
    return { ok: true, expr: new Parser(lex(text)).parse() };
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { ok: false, message: error.message, position: error.position };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Printing (the canonical text of an expression; parses back to the same AST)

const SAFE_WORD = /^[^\s()!<>=~"'&|]+$/;
const PRECEDENCE = { or: 1, and: 2, not: 3, test: 4, compare: 4 } as const;

function printValue(field: FieldName, value: number | string): string {
  const type = spec(field).type;
  if (typeof value === 'number') return type === 'ratio' ? `${value}%` : type === 'ms' ? `${value}ms` : String(value);
  const keyword = ['and', 'or', 'not'].includes(value.toLowerCase());
  return SAFE_WORD.test(value) && !keyword ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function printGraphFilter(expr: FilterExpr): string {
  switch (expr.type) {
    case 'test':
      return expr.field;
    case 'compare':
      return `${expr.field} ${expr.op} ${printValue(expr.field, expr.value)}`;
    case 'not': {
      const inner = printGraphFilter(expr.expr);
      return `not ${PRECEDENCE[expr.expr.type] < PRECEDENCE.not ? `(${inner})` : inner}`;
    }
    case 'and':
    case 'or': {
      const own = PRECEDENCE[expr.type];
      const left = printGraphFilter(expr.left);
      const right = printGraphFilter(expr.right);
      // Left-associative: a right operand of the same precedence needs parentheses.
      return `${PRECEDENCE[expr.left.type] < own ? `(${left})` : left} ${expr.type} ${PRECEDENCE[expr.right.type] <= own ? `(${right})` : right}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Compiling

/** A node's edges (in and out), which edge fields tested on the node look at. */
export type NodeEdges = readonly GraphEdge[];
export type NodesById = ReadonlyMap<string, GraphNode>;

interface Predicate {
  node: (node: GraphNode, edges: NodeEdges) => boolean;
  edge: (edge: GraphEdge, nodesById: NodesById) => boolean;
}

export type CompiledFilter =
  | {
      ok: true;
      /** No expression: nothing matches. */
      empty: boolean;
      /** Whether the expression names a node field: one only about edges finds and hides edges, not their ends. */
      aboutNodes: boolean;
      expr: FilterExpr | null;
      matchNode: (node: GraphNode, edges?: NodeEdges) => boolean;
      matchEdge: (edge: GraphEdge, nodesById: NodesById) => boolean;
    }
  | { ok: false; message: string; position: number };

const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );

/** The test of one value against a comparison (the value as the field reads it). */
function valueTest(field: FieldName, op: CompareOp, literal: number | string): (value: Value) => boolean {
  const type = spec(field).type;
  if (typeof literal === 'number') {
    const target = type === 'ratio' ? literal / 100 : literal;
    const compare = (v: number) =>
      op === '=' ? v === target : op === '!=' ? v !== target : op === '<' ? v < target : op === '<=' ? v <= target : op === '>' ? v > target : v >= target;
    return (value) => typeof value === 'number' && compare(value);
  }
  const wanted = literal.toLowerCase();
  const glob = /[*?]/.test(literal) ? globToRegExp(literal) : undefined;
  const one =
    op === '=' || op === '!='
      ? (v: string) => (glob ? glob.test(v) : v.toLowerCase() === wanted)
      : (v: string) => (glob ? glob.test(v) : v.toLowerCase().includes(wanted));
  const positive = (value: Value) => (typeof value === 'string' ? one(value) : Array.isArray(value) ? value.some(one) : false);
  // `!=` and `!~` are the complements of `=` and `~` (for a set: no flag matches).
  return op === '!=' || op === '!~' ? (value) => value !== null && !positive(value) : positive;
}

const defaultBare = (value: Value) =>
  typeof value === 'number' ? value !== 0 : typeof value === 'string' ? value !== '' : Array.isArray(value) ? value.length > 0 : value === true;

/** Lifts a test of one field's value to nodes and edges (see the header for the rules). */
function fieldPredicate(field: FieldName, test: (value: Value) => boolean): Predicate {
  const s = spec(field);
  const onNode = s.node ? (node: GraphNode) => test(s.node!(node)) : undefined;
  const onEdge = s.edge ? (edge: GraphEdge) => test(s.edge!(edge)) : undefined;
  return {
    node: onNode ?? ((_node, edges) => edges.some((edge) => onEdge!(edge))),
    edge: onEdge
      ? (edge) => onEdge(edge)
      : (edge, nodesById) => {
          const source = nodesById.get(edge.source);
          const target = nodesById.get(edge.target);
          return (source !== undefined && onNode!(source)) || (target !== undefined && onNode!(target));
        },
  };
}

function compile(expr: FilterExpr): Predicate {
  switch (expr.type) {
    case 'test':
      return fieldPredicate(expr.field, spec(expr.field).bare ?? defaultBare);
    case 'compare':
      return fieldPredicate(expr.field, valueTest(expr.field, expr.op, expr.value));
    case 'not': {
      const inner = compile(expr.expr);
      return { node: (n, edges) => !inner.node(n, edges), edge: (e, byId) => !inner.edge(e, byId) };
    }
    case 'and': {
      const [l, r] = [compile(expr.left), compile(expr.right)];
      return { node: (n, edges) => l.node(n, edges) && r.node(n, edges), edge: (e, byId) => l.edge(e, byId) && r.edge(e, byId) };
    }
    case 'or': {
      const [l, r] = [compile(expr.left), compile(expr.right)];
      return { node: (n, edges) => l.node(n, edges) || r.node(n, edges), edge: (e, byId) => l.edge(e, byId) || r.edge(e, byId) };
    }
  }
}

function namesNodeField(expr: FilterExpr): boolean {
  switch (expr.type) {
    case 'test':
    case 'compare':
      return spec(expr.field).scope !== 'edge';
    case 'not':
      return namesNodeField(expr.expr);
    case 'and':
    case 'or':
      return namesNodeField(expr.left) || namesNodeField(expr.right);
  }
}

/** A Find or Hide box's text, compiled; a syntax error names the token, the position (0-based) and what is allowed. */
export function compileGraphFilter(text: string): CompiledFilter {
  const parsed = parseGraphFilter(text);
  if (!parsed.ok) return parsed;
  const { expr } = parsed;
  if (expr === null) return { ok: true, empty: true, aboutNodes: false, expr, matchNode: () => false, matchEdge: () => false };
  const predicate = compile(expr);
  return {
    ok: true,
    empty: false,
    aboutNodes: namesNodeField(expr),
    expr,
    matchNode: (node, edges = []) => predicate.node(node, edges),
    matchEdge: (edge, nodesById) => predicate.edge(edge, nodesById),
  };
}

// ---------------------------------------------------------------------------------------------
// Applying Find and Hide to a graph

export interface GraphFilterResult {
  visibleNodes: Set<string>;
  visibleEdges: Set<string>;
  /** Ids of the visible nodes and edges Find matches (node and edge ids never collide). */
  found: Set<string>;
  /** The boxes' syntax errors; a box with an error filters nothing. */
  findError?: { message: string; position: number };
  hideError?: { message: string; position: number };
}

/** Every node's edges, in and out. */
export function edgesByNode(graph: Pick<MeshGraph, 'edges'>): Map<string, GraphEdge[]> {
  const byNode = new Map<string, GraphEdge[]>();
  const add = (id: string, edge: GraphEdge) => {
    const list = byNode.get(id);
    if (list) list.push(edge);
    else byNode.set(id, [edge]);
  };
  for (const edge of graph.edges) {
    add(edge.source, edge);
    if (edge.target !== edge.source) add(edge.target, edge);
  }
  return byNode;
}

/**
 * What the graph shows: Hide removes the nodes it matches (with their edges) and the edges it
 * matches; a node that loses its edges stays unless Hide matched it. Find marks the visible
 * nodes and edges it matches. An expression only about edges (`rps > 10`, `!mtls`) finds and
 * hides edges, not the nodes at their ends, as Kiali's does.
 */
export function applyGraphFilter(graph: Pick<MeshGraph, 'nodes' | 'edges'>, boxes: { find?: string; hide?: string }): GraphFilterResult {
  const find = compileGraphFilter(boxes.find ?? '');
  const hide = compileGraphFilter(boxes.hide ?? '');
  const nodesById = new Map(graph.nodes.map((n) => [n.id, n]));
  const byNode = edgesByNode(graph);
  const edgesOf = (id: string) => byNode.get(id) ?? [];

  const visibleNodes = new Set<string>();
  for (const node of graph.nodes) {
    if (!(hide.ok && hide.aboutNodes && hide.matchNode(node, edgesOf(node.id)))) visibleNodes.add(node.id);
  }
  const visibleEdges = new Set<string>();
  for (const edge of graph.edges) {
    if (!visibleNodes.has(edge.source) || !visibleNodes.has(edge.target)) continue;
    if (!(hide.ok && hide.matchEdge(edge, nodesById))) visibleEdges.add(edge.id);
  }

  const found = new Set<string>();
  if (find.ok && !find.empty) {
    if (find.aboutNodes) for (const node of graph.nodes) if (visibleNodes.has(node.id) && find.matchNode(node, edgesOf(node.id))) found.add(node.id);
    for (const edge of graph.edges) if (visibleEdges.has(edge.id) && find.matchEdge(edge, nodesById)) found.add(edge.id);
  }
  return {
    visibleNodes,
    visibleEdges,
    found,
    ...(find.ok ? {} : { findError: { message: find.message, position: find.position } }),
    ...(hide.ok ? {} : { hideError: { message: hide.message, position: hide.position } }),
  };
}

/** The help the boxes show: every field with an example. */
export const GRAPH_FILTER_HELP: { field: FieldName; scope: Scope; example: string }[] = FIELD_NAMES.map((field) => ({
  field,
  scope: spec(field).scope,
  example: spec(field).example,
}));
