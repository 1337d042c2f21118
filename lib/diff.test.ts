import { describe, expect, it } from 'vitest';
import { diffLines } from './diff';

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
  });
});
