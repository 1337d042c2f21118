import { describe, expect, it } from 'vitest';
import { re2Problem } from './virtualservice-re2';

describe('re2Problem', () => {
  it.each([
    '^/api/v[0-9]+/.*$',
    '(?i)^/Orders',
    '(?i:abc)|(?s).+',
    '(?P<year>\\d{4})-(?<month>\\d{2})',
    '\\Aexact\\z',
    '[[:alpha:]_][[:alnum:]]*',
    '\\pL+\\p{Greek}',
    '\\x{263a}\\x41\\101',
    '\\Q*.*\\E',
    '[]a]',
    'a{2,1000}',
    'x*?y+?z??',
    '\\.\\-\\/',
  ])('accepts %s', (pattern) => {
    expect(re2Problem(pattern)).toBeUndefined();
  });

  it.each([
    ['^(?=.*token)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
    ['(?<!admin)/x', 'error parsing regexp: invalid or unsupported Perl syntax: `(?<!`'],
    ['(?>a+)b', 'error parsing regexp: invalid or unsupported Perl syntax: `(?>`'],
    ['(a)\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
    ['end\\Z', 'error parsing regexp: invalid escape sequence: `\\Z`'],
    ['a{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
    ['[[:letters:]]', 'error parsing regexp: invalid character class range: `[:letters:]`'],
    ['(?x)a', 'error parsing regexp: invalid or unsupported Perl syntax: `(?x`'],
    ['(unclosed', 'error parsing regexp: missing closing ): `(unclosed`'],
    ['a**', 'error parsing regexp: missing argument to repetition operator: `a**`'],
    ['[z-a]', 'error parsing regexp: invalid character class range: `[z-a]`'],
    ['[abc', 'error parsing regexp: missing closing ]: `[abc`'],
  ])('refuses %s', (pattern, message) => {
    expect(re2Problem(pattern)).toBe(message);
  });
});
