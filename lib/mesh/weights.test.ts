import { describe, expect, it } from 'vitest';
import { allTo, distribute, distributeEvenly, effectiveWeights, isValidSplit, setWeight } from './weights';

const none = (n: number) => Array.from({ length: n }, () => false);

describe('weight rebalancing', () => {
  it('moving the canary of a two-way split moves stable the other way', () => {
    expect(setWeight({ weights: [95, 5], locked: none(2) }, 1, 25)).toEqual([75, 25]);
    expect(setWeight({ weights: [75, 25], locked: none(2) }, 0, 100)).toEqual([100, 0]);
  });

  it('rebalances a three-way split in proportion to the others, keeping integers that sum to 100', () => {
    expect(setWeight({ weights: [50, 30, 20], locked: none(3) }, 0, 60)).toEqual([60, 24, 16]);
    const odd = setWeight({ weights: [34, 33, 33], locked: none(3) }, 0, 0);
    expect(odd).toEqual([0, 50, 50]);
    const uneven = setWeight({ weights: [40, 35, 25], locked: none(3) }, 2, 33);
    expect(uneven.reduce((a, b) => a + b)).toBe(100);
    expect(uneven[2]).toBe(33);
  });

  it('rounds the largest remainders up so nothing is lost', () => {
    expect(distribute(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(distribute(7, [1, 2])).toEqual([2, 5]);
    expect(distribute(10, [0, 0])).toEqual([5, 5]);
  });

  it('never moves a locked destination, and clamps to what the locks leave', () => {
    const state = { weights: [50, 30, 20], locked: [false, true, false] };
    expect(setWeight(state, 0, 60)).toEqual([60, 30, 10]);
    expect(setWeight(state, 0, 90)).toEqual([70, 30, 0]);
    // With every other destination locked, nothing can move.
    expect(setWeight({ weights: [60, 40], locked: [false, true] }, 0, 80)).toEqual([60, 40]);
  });

  it('grows an all-zero destination evenly from the others', () => {
    expect(setWeight({ weights: [100, 0, 0], locked: none(3) }, 1, 20)).toEqual([80, 20, 0]);
    expect(setWeight({ weights: [0, 0, 100], locked: none(3) }, 2, 40)).toEqual([30, 30, 40]);
  });

  it('distributes evenly around locks', () => {
    expect(distributeEvenly({ weights: [90, 5, 5], locked: none(3) })).toEqual([34, 33, 33]);
    expect(distributeEvenly({ weights: [90, 10, 0], locked: [false, true, false] })).toEqual([45, 10, 45]);
  });

  it('presets and validity', () => {
    expect(allTo(3, 1)).toEqual([0, 100, 0]);
    expect(effectiveWeights([undefined])).toEqual([100]);
    expect(effectiveWeights([undefined, 100])).toEqual([0, 100]);
    expect(isValidSplit([75, 25])).toBe(true);
    expect(isValidSplit([70, 20])).toBe(false);
    expect(isValidSplit([110, -10])).toBe(false);
    expect(isValidSplit([50.5, 49.5])).toBe(false);
  });
});
