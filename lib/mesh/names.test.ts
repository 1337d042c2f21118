import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDnsLabel, isDnsSubdomain, isLabelValue, labelKeyProblem, labelProblem, subdomainProblem } from './names';

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const inner = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split(''));
/** Labels built by the rule: alphanumeric ends, '-' allowed inside, 1..63 characters. */
const label = fc
  .tuple(alnum, fc.array(inner, { maxLength: 61 }), alnum, fc.boolean())
  .map(([first, middle, last, single]) => (single ? first : `${first}${middle.join('')}${last}`));

describe('Kubernetes names', () => {
  it.each(['a', 'web', 'my-app-2', '0', 'a'.repeat(63)])('%s is a label and a subdomain', (name) => {
    expect(isDnsLabel(name)).toBe(true);
    expect(isDnsSubdomain(name)).toBe(true);
  });

  it.each(['', '-a', 'a-', 'A', 'a_b', 'a.b', 'a'.repeat(64), 'ünï'])('%s is not a label', (name) => {
    expect(isDnsLabel(name)).toBe(false);
    expect(labelProblem(name)).toMatch(/is not a valid name: use lower-case letters/);
  });

  it('a subdomain is dot-separated labels, at most 253 characters', () => {
    expect(isDnsSubdomain('reviews.bookinfo.svc.cluster.local')).toBe(true);
    expect(isDnsSubdomain('a..b')).toBe(false);
    expect(isDnsSubdomain('.a')).toBe(false);
    expect(isDnsSubdomain('a.-b')).toBe(false);
    expect(isDnsSubdomain(`${'a'.repeat(63)}.`.repeat(4).slice(0, 254))).toBe(false);
    expect(subdomainProblem('Web')).toMatch(/dot-separated/);
    expect(subdomainProblem('web.v1')).toBeUndefined();
  });

  it('every label built by the rule passes; so do its dot-joined lists up to 253 characters', () => {
    fc.assert(fc.property(label, (name) => isDnsLabel(name)));
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 5 }), (labels) => {
        const name = labels.join('.');
        expect(isDnsSubdomain(name)).toBe(name.length <= 253);
      }),
    );
  });

  it('an upper-case letter, an underscore or an edge dash anywhere breaks a label', () => {
    fc.assert(
      fc.property(label, fc.constantFrom('A', '_', ' '), fc.nat(), (name, bad, at) => {
        const i = at % (name.length + 1);
        expect(isDnsLabel(name.slice(0, i) + bad + name.slice(i))).toBe(false);
      }),
    );
    fc.assert(fc.property(label, (name) => !isDnsLabel(`-${name}`) && !isDnsLabel(`${name}-`)));
  });
});

describe('label keys and values', () => {
  it('a value is empty or a qualified name; a key may carry a subdomain prefix', () => {
    expect(['', 'v1', 'A_b.c-9', 'x'.repeat(63)].every(isLabelValue)).toBe(true);
    expect(['-v1', 'v1.', 'a b', 'x'.repeat(64)].some(isLabelValue)).toBe(false);
    expect(labelKeyProblem('app')).toBeUndefined();
    expect(labelKeyProblem('app.kubernetes.io/name')).toBeUndefined();
    expect(labelKeyProblem('Bad_Prefix/name')).toMatch(/prefix before "\/" must be a DNS subdomain/);
    expect(labelKeyProblem('example.com/-name')).toMatch(/is not a label name/);
  });
});
