import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMicros, formatMs, formatNumber, formatPercent, formatRate, formatValue } from './format';

/** Digits that count: without sign, leading zeros, the decimal point and a k/M/G suffix. */
const significantDigits = (text: string) =>
  text
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '').length;

describe('formatNumber', () => {
  it.each([
    [0, '0'],
    [0.0452, '0.0452'],
    [0.000012345, '0.0000123'],
    [12.345, '12.3'],
    [456, '456'],
    [999.6, '1k'],
    [1234, '1.23k'],
    [45_678_901, '45.7M'],
    [-3.14159, '-3.14'],
    [null, '–'],
    [Number.NaN, '–'],
  ])('%s → %s', (value, text) => expect(formatNumber(value)).toBe(text));

  it('never shows more than three significant digits, nor exponent notation, and stays close to the value', () => {
    fc.assert(
      // Metrics live well above 1e-12; far below, toFixed's 20 decimals round to 0.
      fc.property(
        fc.double({ min: -1e12, max: 1e12, noNaN: true }).filter((v) => v === 0 || Math.abs(v) >= 1e-12),
        (value) => {
          const text = formatNumber(value);
          expect(text).not.toMatch(/e/i);
          expect(significantDigits(text)).toBeLessThanOrEqual(3);
          const [, digits, suffix] = /^(-?[\d.]+)([kMG]?)$/.exec(text)!;
          const back = Number(digits) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9 } as Record<string, number>)[suffix!]!;
          expect(Math.abs(back - value)).toBeLessThanOrEqual(Math.abs(value) * 0.005);
        },
      ),
    );
  });
});

describe('units', () => {
  it('writes rates, percentages and durations with their unit', () => {
    expect(formatRate(0.04521)).toBe('0.0452/s');
    expect(formatRate(123.4)).toBe('123/s');
    expect(formatPercent(0.1234)).toBe('12.3%');
    expect(formatPercent(0.000452)).toBe('0.0452%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatMs(0.4521)).toBe('0.452 ms');
    expect(formatMs(123.4)).toBe('123 ms');
    expect(formatMs(999.9)).toBe('1 s');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(150_000)).toBe('2.5 min');
    expect(formatMicros(12_345)).toBe('12.3 ms');
    expect(formatValue(0.5, 'ratio')).toBe('50%');
    expect(formatValue(2, 'rps')).toBe('2/s');
    expect(formatValue(2, 'ms')).toBe('2 ms');
    expect(formatValue(2500, 'count')).toBe('2.5k');
    expect(formatMs(undefined)).toBe('–');
  });

  it('an availability just short of 100 % never reads 100 %, nor a tiny error ratio 0 %', () => {
    expect(formatPercent(0.99973)).toBe('99.97%');
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (ratio) => {
        const text = formatPercent(ratio);
        if (ratio < 1 && ratio > 0.999_999) return; // beyond the eight digits shown
        if (ratio > 1e-8) expect(text === '100%').toBe(ratio === 1);
        if (ratio > 1e-8) expect(text).not.toBe('0%');
      }),
    );
  });
});
