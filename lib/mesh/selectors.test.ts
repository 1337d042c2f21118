import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeSelector, isEmptySelector, labelsMatch, requirementMatches, selectorMatches, type LabelSelectorRequirement, type Labels } from './selectors';

const key = fc.constantFrom('app', 'version', 'tier', 'team');
const value = fc.constantFrom('web', 'v1', 'v2', 'a', '');
const labels: fc.Arbitrary<Labels> = fc.dictionary(key, value);
const requirement: fc.Arbitrary<LabelSelectorRequirement> = fc.record({
  key,
  operator: fc.constantFrom('In' as const, 'NotIn' as const, 'Exists' as const, 'DoesNotExist' as const),
  values: fc.array(value, { maxLength: 3 }),
});

describe('label selectors', () => {
  it('matchLabels: every pair must be present with its value', () => {
    expect(labelsMatch({ app: 'web' }, { app: 'web', version: 'v1' })).toBe(true);
    expect(labelsMatch({ app: 'web', version: 'v2' }, { app: 'web', version: 'v1' })).toBe(false);
    expect(labelsMatch({ app: '' }, {})).toBe(false);
    expect(labelsMatch({ app: 'web' }, undefined)).toBe(false);
    expect(labelsMatch(undefined, { app: 'web' })).toBe(true);
    // A label named like an Object.prototype property is not present by inheritance.
    expect(labelsMatch({ constructor: 'x' }, {})).toBe(false);
  });

  it('matchExpressions: In, NotIn (also when absent), Exists, DoesNotExist', () => {
    const l = { app: 'web', version: 'v1' };
    expect(selectorMatches({ matchExpressions: [{ key: 'version', operator: 'In', values: ['v1', 'v2'] }] }, l)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v1'] }] }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, l)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, l)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'version', operator: 'In', values: ['v2'] }] }, l)).toBe(false);
  });

  it('an empty selector matches everything; a selector is the conjunction of its parts', () => {
    fc.assert(fc.property(labels, (l) => selectorMatches({}, l) && selectorMatches(undefined, l) && isEmptySelector({ matchLabels: {} })));
    fc.assert(
      fc.property(fc.dictionary(key, value), fc.array(requirement, { maxLength: 4 }), labels, (matchLabels, matchExpressions, l) => {
        const whole = selectorMatches({ matchLabels, matchExpressions }, l);
        const parts =
          Object.entries(matchLabels).every(([k, v]) => labelsMatch({ [k]: v }, l)) &&
          matchExpressions.every((r) => selectorMatches({ matchExpressions: [r] }, l));
        return whole === parts;
      }),
    );
  });

  it('NotIn is the negation of In, DoesNotExist of Exists; a label set matches its own labels and any part of them', () => {
    fc.assert(
      fc.property(requirement, labels, (r, l) => {
        const flip = { In: 'NotIn', NotIn: 'In', Exists: 'DoesNotExist', DoesNotExist: 'Exists' } as const;
        return requirementMatches(r, l) !== requirementMatches({ ...r, operator: flip[r.operator] }, l);
      }),
    );
    fc.assert(
      fc.property(labels, fc.dictionary(key, value), (l, extra) => {
        const subset = Object.fromEntries(Object.entries(l).filter((_, i) => i % 2 === 0));
        return labelsMatch(l, { ...extra, ...l }) && labelsMatch(subset, l);
      }),
    );
  });

  it('describes a selector as a person reads it', () => {
    expect(describeSelector(undefined, 'every workload in shop')).toBe('every workload in shop');
    expect(
      describeSelector(
        {
          matchLabels: { app: 'web' },
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['a', 'b'] },
            { key: 'legacy', operator: 'DoesNotExist' },
            { key: 'team', operator: 'Exists' },
            { key: 'zone', operator: 'NotIn', values: ['x'] },
          ],
        },
        '',
      ),
    ).toBe('app=web, tier in (a, b), !legacy, team, zone notin (x)');
  });
});
