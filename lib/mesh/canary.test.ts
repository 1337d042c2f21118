import { describe, expect, it } from 'vitest';
import { canaryIndex, canaryPattern, canaryShare, DEFAULT_CANARY_VERSIONS, isCanaryVersion } from './canary';

describe('what a canary version is', () => {
  it('by default, any version containing "canary"', () => {
    expect(DEFAULT_CANARY_VERSIONS).toBe('.*canary.*');
    expect(['canary', 'canary-2', 'v2-canary', 'stable', 'load-test', 'Canary'].map((v) => isCanaryVersion(v))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(isCanaryVersion(undefined)).toBe(false);
  });

  it("matches the configured regex on the whole version, as PromQL's =~ does", () => {
    expect(isCanaryVersion('v2', 'v2|next')).toBe(true);
    expect(isCanaryVersion('v20', 'v2|next')).toBe(false);
    expect(isCanaryVersion('canary', 'next')).toBe(false);
    expect(canaryPattern('a|b').source).toBe('^(?:a|b)$');
  });

  it('finds the canary among subsets', () => {
    expect(canaryIndex(['stable', 'canary'])).toBe(1);
    expect(canaryIndex([undefined, 'stable', 'next'], 'next')).toBe(2);
    expect(canaryIndex(['blue', 'green'])).toBe(-1);
  });
});

describe('the canary share', () => {
  const rule = () => DEFAULT_CANARY_VERSIONS;
  it("is one service's canary share when one service is canaried", () => {
    expect(
      canaryShare(
        [
          { namespace: 'a', service: 'cart', version: 'stable', rate: 9 },
          { namespace: 'a', service: 'cart', version: 'canary', rate: 1 },
          { namespace: 'a', service: 'pay', version: 'v1', rate: 90 },
        ],
        rule,
      ),
    ).toBe(0.1);
  });

  it('weighs several canaried services by their traffic, and is null without a canary', () => {
    expect(
      canaryShare(
        [
          { namespace: 'a', service: 'cart', version: 'stable', rate: 9 },
          { namespace: 'a', service: 'cart', version: 'canary', rate: 1 },
          { namespace: 'b', service: 'cart', version: 'stable', rate: 5 },
          { namespace: 'b', service: 'cart', version: 'canary', rate: 5 },
        ],
        rule,
      ),
    ).toBe(0.3);
    expect(canaryShare([{ namespace: 'a', service: 'cart', version: 'stable', rate: 9 }], rule)).toBeNull();
    expect(canaryShare([], rule)).toBeNull();
  });
});
