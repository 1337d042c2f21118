import { describe, expect, it } from 'vitest';
import { CODES, isKnownCode } from './codes';
import { ANALYZERS } from './registry';

describe('the analyzer registry', () => {
  it('has unique analyzer ids', () => {
    const ids = ANALYZERS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares only catalogued codes, and every catalogued code has an analyzer (IST0001 is the engine’s own)', () => {
    const declared = new Set(ANALYZERS.flatMap((a) => a.codes));
    expect([...declared].filter((code) => !isKnownCode(code))).toEqual([]);
    expect(CODES.map((c) => c.code).filter((code) => code !== 'IST0001' && !declared.has(code))).toEqual([]);
  });

  it('uses Istio codes for Istio rules and MDK codes for Meshdeck’s own, with unique codes and names', () => {
    expect(CODES.every((c) => /^(IST|MDK)\d{4}$/.test(c.code))).toBe(true);
    expect(new Set(CODES.map((c) => c.code)).size).toBe(CODES.length);
    expect(new Set(CODES.map((c) => c.name)).size).toBe(CODES.length);
    expect(ANALYZERS.filter((a) => a.id.startsWith('meshdeck.')).every((a) => a.codes.every((code) => code.startsWith('MDK')))).toBe(true);
  });
});
