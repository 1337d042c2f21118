import { describe, expect, it } from 'vitest';
import { appendBounded, parseEntries } from './audit';

describe('audit history', () => {
  it('keeps the newest entries up to the limit', () => {
    const entries = Array.from({ length: 5 }, (_, i) => i);
    expect(appendBounded(entries, 5, 3)).toEqual([3, 4, 5]);
    expect(appendBounded([], 1, 3)).toEqual([1]);
  });

  it('reads an empty, missing or damaged history as no entries', () => {
    expect(parseEntries(undefined)).toEqual([]);
    expect(parseEntries({ metadata: { name: 'm', namespace: 'n' }, data: { 'entries.json': 'not json' } })).toEqual([]);
    expect(parseEntries({ metadata: { name: 'm', namespace: 'n' }, data: { 'entries.json': '[{"id":"a"}]' } })).toEqual([{ id: 'a' }]);
  });
});
