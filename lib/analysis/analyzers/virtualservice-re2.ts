// Whether a regular expression compiles as RE2, the syntax Istio (Go's regexp) and Envoy use.
//
// There is no RE2 in the browser or in Node, so the check is in two steps:
//  1. a scan for what RE2 refuses although JavaScript accepts it: lookaround `(?=` `(?!`
//     `(?<=` `(?<!`, atomic groups `(?>`, backreferences `\1` `\k<n>`, escapes RE2 does not
//     know (`\Z`, `\G`, `\e`, `\h`...), flags other than i, m, s, U, unknown POSIX classes, and
//     repeat counts over 1000. The same scan rewrites what RE2 accepts but JavaScript would not
//     (`(?i)`, `(?P<name>`, `\A`, `\z`, `\Q...\E`, `\x{263a}`, `\pL`, `[[:alpha:]]`) into
//     something of the same shape;
//  2. the rewritten pattern is compiled by JavaScript's RegExp (without the `u` flag, whose
//     escape rules are stricter than RE2's), which catches the structural errors both refuse:
//     unbalanced parentheses or brackets, a quantifier with nothing to repeat (`*+`, `a**`),
//     reversed ranges (`[z-a]`, `a{3,2}`).
// Messages follow Go's (`error parsing regexp: invalid escape sequence: \`\1\``).

const POSIX_CLASSES = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit']);
const SIMPLE_ESCAPES = new Set(['a', 'f', 't', 'n', 'r', 'v']);
const CLASS_ESCAPES = new Set(['d', 'D', 's', 'S', 'w', 'W']);
const MAX_REPEAT = 1000;

const goError = (code: string, text: string) => `error parsing regexp: ${code}: \`${text}\``;
const isOctal = (c: string | undefined) => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isAsciiPunct = (c: string) => c.charCodeAt(0) < 128 && !/[0-9A-Za-z]/.test(c);

// JavaScript's messages for what both engines refuse, in Go's words.
const JS_TO_GO: [RegExp, string][] = [
  [/Unterminated group/i, 'missing closing )'],
  [/Unmatched '\)'/i, 'unexpected )'],
  [/Nothing to repeat/i, 'missing argument to repetition operator'],
  [/Unterminated character class/i, 'missing closing ]'],
  [/Range out of order/i, 'invalid character class range'],
  [/numbers out of order/i, 'invalid repeat count'],
];

interface Escape {
  /** What the escape becomes in the JavaScript rewrite. */
  js: string;
  /** Characters consumed, backslash included. */
  length: number;
}

/** One escape at `i` (a backslash), or a Go error message. */
function readEscape(p: string, i: number, inClass: boolean): Escape | string {
  const c = p[i + 1];
  if (c === undefined) return goError('trailing backslash at end of expression', '');
  if (isOctal(c) && (c === '0' || isOctal(p[i + 2]))) {
    // Octal: \0, \012, \12 (a lone \1..\7 is a backreference, refused below).
    let length = 2;
    while (length < 4 && isOctal(p[i + length])) length++;
    return { js: 'x', length };
  }
  if (c >= '1' && c <= '9') return goError('invalid escape sequence', `\\${c}`);
  if (c === 'x') {
    if (p[i + 2] === '{') {
      const close = p.indexOf('}', i + 3);
      const digits = close < 0 ? '' : p.slice(i + 3, close);
      if (close < 0 || !digits || ![...digits].every(isHex)) return goError('invalid escape sequence', p.slice(i, close < 0 ? p.length : close + 1));
      return { js: 'x', length: close - i + 1 };
    }
    if (!isHex(p[i + 2]) || !isHex(p[i + 3])) return goError('invalid escape sequence', p.slice(i, i + 4));
    return { js: 'x', length: 4 };
  }
  if (c === 'p' || c === 'P') {
    if (p[i + 2] === '{') {
      const close = p.indexOf('}', i + 3);
      if (close < 0) return goError('invalid character class range', p.slice(i));
      return { js: inClass ? 'x' : '[x]', length: close - i + 1 };
    }
    if (p[i + 2] === undefined) return goError('invalid character class range', p.slice(i));
    return { js: inClass ? 'x' : '[x]', length: 3 };
  }
  if (SIMPLE_ESCAPES.has(c)) return { js: 'x', length: 2 };
  if (CLASS_ESCAPES.has(c)) return { js: `\\${c}`, length: 2 };
  if (!inClass && (c === 'b' || c === 'B')) return { js: `\\${c}`, length: 2 };
  if (!inClass && (c === 'A' || c === 'z')) return { js: c === 'A' ? '^' : '$', length: 2 };
  if (isAsciiPunct(c)) return { js: `\\${c}`, length: 2 };
  return goError('invalid escape sequence', `\\${c}`);
}

/** A `(?` group opening at `i`: its rewrite and length, or a Go error message. */
function readGroupOpening(p: string, i: number): Escape | string {
  const rest = p.slice(i + 2);
  const named = /^P?<([^>]*)>/.exec(rest);
  if (named && !rest.startsWith('<=') && !rest.startsWith('<!')) {
    if (!/^\w+$/.test(named[1]!)) return goError('invalid named capture', p.slice(i, i + 2 + named[0].length));
    return { js: '(', length: 2 + named[0].length };
  }
  const flags = /^(-?[imsU]|[imsU]+(-[imsU]+)?)[:)]/.exec(rest);
  if (flags) return { js: rest[flags[0].length - 1] === ':' ? '(?:' : '', length: 2 + flags[0].length };
  if (rest.startsWith(':')) return { js: '(?:', length: 3 };
  const shown = rest.startsWith('<=') || rest.startsWith('<!') ? p.slice(i, i + 4) : p.slice(i, i + 3);
  return goError('invalid or unsupported Perl syntax', shown);
}

/** Why RE2 (Go's regexp) refuses a pattern, in Go's words; undefined when it compiles. */
export function re2Problem(pattern: string): string | undefined {
  let js = '';
  let inClass = false;
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (!inClass && pattern[i + 1] === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const literal = pattern.slice(i + 2, end < 0 ? pattern.length : end);
        js += literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      const escape = readEscape(pattern, i, inClass);
      if (typeof escape === 'string') return escape;
      js += escape.js;
      i += escape.length;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const close = pattern.indexOf(':]', i + 2);
        const name = close < 0 ? undefined : pattern.slice(i + 2, close).replace(/^\^/, '');
        if (name !== undefined && /^\^?[a-z]+$/.test(pattern.slice(i + 2, close))) {
          if (!POSIX_CLASSES.has(name)) return goError('invalid character class range', pattern.slice(i, close + 2));
          js += 'x';
          i = close + 2;
          continue;
        }
      }
      if (c === ']') inClass = false;
      js += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      const negated = pattern[i + 1] === '^';
      js += negated ? '[^' : '[';
      i += negated ? 2 : 1;
      // A `]` right after `[` or `[^` is a literal in RE2 (an empty class in JavaScript).
      if (pattern[i] === ']') {
        js += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const opening = readGroupOpening(pattern, i);
      if (typeof opening === 'string') return opening;
      js += opening.js;
      i += opening.length;
      continue;
    }
    if (c === '{') {
      const repeat = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (repeat) {
        const min = Number(repeat[1]);
        const max = repeat[3] ? Number(repeat[3]) : min;
        if (min > MAX_REPEAT || max > MAX_REPEAT || (repeat[3] && max < min)) return goError('invalid repeat count', repeat[0]);
      }
    }
    js += c;
    i++;
  }
  try {
    new RegExp(js);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : String(error);
    const go = JS_TO_GO.find(([js]) => js.test(message));
    return go ? goError(go[1], pattern) : `error parsing regexp: ${message}: \`${pattern}\``;
  }
}
