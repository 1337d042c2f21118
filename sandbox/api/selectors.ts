// labelSelector and fieldSelector query parameters, as kube-apiserver parses them.
import { badRequest } from './status.ts';
import type { KubeObject } from './store.ts';

type Operator = 'in' | 'notin' | 'exists' | '!exists' | '=' | '!=' | 'gt' | 'lt';
type Requirement = { key: string; op: Operator; values: string[] };

// The label selector grammar of k8s.io/apimachinery/pkg/labels, with its lexer's tokens and
// its parser's error messages (1.24), e.g. "unable to parse requirement: found '', expected: ',' or ')'".
type Token = { kind: 'id' | 'in' | 'notin' | '!' | '!=' | '(' | ')' | ',' | '=' | '==' | '>' | '<' | 'end' | 'error'; text: string };
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOLS = ['!=', '==', '!', '(', ')', ',', '=', '>', '<'] as const;
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function lex(selector: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < selector.length) {
    const ch = selector[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (SPECIAL.has(ch)) {
      const symbol = SYMBOLS.find((s) => selector.startsWith(s, i))!;
      tokens.push({ kind: symbol, text: symbol });
      i += symbol.length;
    } else {
      let end = i;
      while (end < selector.length && !SPECIAL.has(selector[end]!) && !/\s/.test(selector[end]!)) end++;
      const word = selector.slice(i, end);
      tokens.push({ kind: word === 'in' || word === 'notin' ? word : 'id', text: word });
      i = end;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

function parse(selector: string): Requirement[] {
  const tokens = lex(selector);
  let position = 0;
  // In value position the keywords are plain identifiers ("app in (in, notin)").
  const asValue = (t: Token): Token => (t.kind === 'in' || t.kind === 'notin' ? { kind: 'id', text: t.text } : t);
  const peek = () => asValue(tokens[position]!);
  const next = (keywords = false) => (keywords ? tokens[position++]! : asValue(tokens[position++]!));

  function values(): string[] {
    let t = next();
    if (t.kind !== '(') throw new Error(`found '${t.text}' expected: '('`);
    t = peek();
    if (t.kind === ')') {
      next();
      return [''];
    }
    if (t.kind !== 'id' && t.kind !== ',') throw new Error(`found '${t.text}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const item = next();
      if (item.kind === 'id') {
        set.add(item.text);
        const after = peek();
        if (after.kind === ')') break;
        if (after.kind !== ',') throw new Error(`found '${after.text}', expected: ',' or ')'`);
      } else if (item.kind === ',') {
        if (set.size === 0) set.add('');
        const after = peek();
        if (after.kind === ')') {
          set.add('');
          break;
        }
        if (after.kind === ',') {
          next();
          set.add('');
        }
      } else {
        throw new Error(`found '${item.text}', expected: ',', or identifier`);
      }
    }
    const close = next();
    if (close.kind !== ')') throw new Error(`found '${close.text}', expected: ')'`);
    return [...set];
  }

  function exactValue(): string[] {
    const t = peek();
    if (t.kind === 'end' || t.kind === ',') return [''];
    const value = next();
    if (value.kind === 'id') return [value.text];
    throw new Error(`found '${value.text}', expected: identifier`);
  }

  function requirement(): Requirement {
    let t = next();
    let op: Operator | undefined;
    if (t.kind === '!') {
      op = '!exists';
      t = next();
    }
    if (t.kind !== 'id') throw new Error(`found '${t.text}', expected: identifier`);
    const key = t.text;
    const after = peek();
    if (after.kind === 'end' || after.kind === ',') return { key, op: op ?? 'exists', values: [] };
    if (op) return { key, op, values: [] };
    const operator = next(true);
    switch (operator.kind) {
      case 'in':
      case 'notin':
        return { key, op: operator.kind, values: values() };
      case '=':
      case '==':
        return { key, op: '=', values: exactValue() };
      case '!=':
        return { key, op: '!=', values: exactValue() };
      case '>':
      case '<': {
        const [value = ''] = exactValue();
        if (!/^-?\d+$/.test(value)) throw new Error(`for 'gt', 'lt' operators, exactly one value is required`);
        return { key, op: operator.kind === '>' ? 'gt' : 'lt', values: [value] };
      }
      default:
        throw new Error(`found '${operator.text}', expected: ${BINARY_OPERATORS}`);
    }
  }

  const requirements: Requirement[] = [];
  for (;;) {
    const t = peek();
    if (t.kind === 'end') return requirements;
    if (t.kind !== 'id' && t.kind !== '!') throw badRequest(`found '${t.text}', expected: !, identifier, or 'end of string'`);
    try {
      requirements.push(requirement());
    } catch (error) {
      throw badRequest(`unable to parse requirement: ${(error as Error).message}`);
    }
    const separator = next();
    if (separator.kind === 'end') return requirements;
    if (separator.kind !== ',') throw badRequest(`found '${separator.text}', expected: ',' or 'end of string'`);
    const following = peek();
    if (following.kind !== 'id' && following.kind !== '!') throw badRequest(`found '${following.text}', expected: identifier after ','`);
  }
}

/** Parses a label selector ("a=b,c!=d,e in (x,y),!f,g") into a predicate on labels. */
export function parseLabelSelector(selector: string | null): (labels: Record<string, string> | undefined) => boolean {
  if (!selector) return () => true;
  const requirements = parse(selector);
  return (labels) => requirements.every((r) => matches(r, labels ?? {}));
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
      return has && value === r.values[0];
    case '!=':
      return !has || value !== r.values[0];
    case 'in':
      return has && r.values.includes(value!);
    case 'notin':
      return !has || !r.values.includes(value!);
    case 'gt':
      return has && /^-?\d+$/.test(value!) && Number(value) > Number(r.values[0]);
    case 'lt':
      return has && /^-?\d+$/.test(value!) && Number(value) < Number(r.values[0]);
  }
}

const FIELDS: Record<string, (o: KubeObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
  // Events are commonly filtered by the object they are about.
  'involvedObject.name': (o) => (o.involvedObject as { name?: string } | undefined)?.name,
  'involvedObject.namespace': (o) => (o.involvedObject as { namespace?: string } | undefined)?.namespace,
  'involvedObject.kind': (o) => (o.involvedObject as { kind?: string } | undefined)?.kind,
  'involvedObject.uid': (o) => (o.involvedObject as { uid?: string } | undefined)?.uid,
  'status.phase': (o) => (o.status as { phase?: string } | undefined)?.phase,
};

/** Parses "metadata.name=x,metadata.namespace!=y" into a predicate on objects. */
export function parseFieldSelector(selector: string | null): (object: KubeObject) => boolean {
  if (!selector) return () => true;
  const terms = selector
    .split(',')
    .filter(Boolean)
    .map((term) => {
      const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
      if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
      const read = FIELDS[m[1]!];
      if (!read) throw badRequest(`"${m[1]}" is not a known field selector: only "${Object.keys(FIELDS).join('", "')}"`);
      return { read, negate: m[2] === '!=', value: m[3]! };
    });
  return (object) => terms.every((t) => (t.read(object) === t.value) !== t.negate);
}
