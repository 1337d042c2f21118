import { describe, expect, it } from 'vitest';
import { diffLines } from './diff';

const numbered = (n: number, change?: { at: number; text: string }) =>
  Array.from({ length: n }, (_, i) => (change?.at === i + 1 ? change.text : `line ${i + 1}`)).join('\n');

describe('diffLines', () => {
  it('marks changed lines as removed then added, keeping the rest', () => {
    expect(diffLines('a\nweight: 95\nb\nweight: 5', 'a\nweight: 75\nb\nweight: 25')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'weight: 95' },
      { kind: 'added', text: 'weight: 75' },
      { kind: 'same', text: 'b' },
      { kind: 'removed', text: 'weight: 5' },
      { kind: 'added', text: 'weight: 25' },
    ]);
  });

  it('handles insertions and deletions at the ends', () => {
    expect(diffLines('x', 'x\ny').map((l) => l.kind)).toEqual(['same', 'added']);
    expect(diffLines('w\nx', 'x').map((l) => l.kind)).toEqual(['removed', 'same']);
    expect(diffLines('', 'a\nb')).toEqual([
      { kind: 'added', text: 'a' },
      { kind: 'added', text: 'b' },
    ]);
    expect(diffLines('a', '')).toEqual([{ kind: 'removed', text: 'a' }]);
  });

  it('is empty for equal documents, with or without a final newline', () => {
    expect(diffLines('a\nb', 'a\nb\n')).toEqual([]);
  });

  it('folds unchanged runs away from a change, keeping the context around it', () => {
    const lines = diffLines(numbered(40), numbered(40, { at: 20, text: 'changed' }), 2);
    expect(lines).toEqual([
      { kind: 'skipped', count: 17 },
      { kind: 'same', text: 'line 18' },
      { kind: 'same', text: 'line 19' },
      { kind: 'removed', text: 'line 20' },
      { kind: 'added', text: 'changed' },
      { kind: 'same', text: 'line 21' },
      { kind: 'same', text: 'line 22' },
      { kind: 'skipped', count: 18 },
    ]);
  });

  it('accounts for every line of the before document: shown, removed or skipped', () => {
    const before = numbered(60);
    const after = numbered(60, { at: 5, text: 'x' }).replace('line 50', 'y');
    const lines = diffLines(before, after);
    const oldSide = lines.reduce((n, l) => n + (l.kind === 'skipped' ? l.count : l.kind === 'added' ? 0 : 1), 0);
    expect(oldSide).toBe(60);
    expect(lines.filter((l) => l.kind === 'skipped')).toHaveLength(2); // between the changes and after the last (one line before the first is shown, not folded)
  });
});
