import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexParam } from './param-schemas';

const index = indexParam(999);

describe('indexParam', () => {
  it('reads "0" to "999" as their number', () => {
    for (const n of [0, 1, 9, 10, 99, 100, 999]) expect(index.parse(String(n))).toBe(n);
  });

  it('refuses every other spelling of a number, and numbers above the maximum', () => {
    for (const raw of ['', ' ', ' 0', '0 ', '0x0', '0e0', '-0', '+0', '01', '00', '1.0', '1.', '.5', 'NaN', 'Infinity', '1000', '١', '1_0', '9'.repeat(400)]) {
      expect(index.safeParse(raw).success, JSON.stringify(raw)).toBe(false);
    }
    expect(indexParam(99).safeParse('100').success).toBe(false);
  });

  it('accepts exactly the canonical decimal form (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer({ min: -5, max: 2000 }).map(String), fc.stringMatching(/^[0-9 +\-.ex]{1,5}$/)), (raw) => {
        const canonical = /^(0|[1-9][0-9]{0,2})$/.test(raw);
        const result = index.safeParse(raw);
        expect(result.success).toBe(canonical);
        if (result.success) expect(String(result.data)).toBe(raw);
      }),
      { numRuns: 2000 },
    );
  });
});
