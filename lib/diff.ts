// Line diffs for "review before apply": jsdiff (Myers' O(ND) algorithm) instead of a hand-written
// LCS, which needed a table of before × after lines and had no notion of context.
import { diffLines as changesByLine } from 'diff';

export type DiffLine = { kind: 'same' | 'removed' | 'added'; text: string } | { kind: 'skipped'; count: number };

const withFinalNewline = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

/**
 * The lines that differ between two documents, each change with `context` unchanged lines
 * around it; longer unchanged runs fold into one `skipped` line (a whole Kubernetes object
 * is long, the change usually a few lines). Empty when the documents are the same.
 */
export function diffLines(before: string, after: string, context = 3): DiffLine[] {
  const lines: DiffLine[] = changesByLine(withFinalNewline(before), withFinalNewline(after)).flatMap((change) =>
    change.value
      .replace(/\n$/, '')
      .split('\n')
      .map((text) => ({ kind: change.added ? ('added' as const) : change.removed ? ('removed' as const) : ('same' as const), text })),
  );
  if (lines.every((line) => line.kind === 'same')) return [];
  const out: DiffLine[] = [];
  for (let i = 0; i < lines.length;) {
    if (lines[i]!.kind !== 'same') {
      out.push(lines[i++]!);
      continue;
    }
    let end = i;
    while (end < lines.length && lines[end]!.kind === 'same') end++;
    // Keep `context` lines next to a change on each side; fold the middle when it is longer than one line.
    const keepHead = i === 0 ? 0 : context;
    const keepTail = end === lines.length ? 0 : context;
    if (end - i - keepHead - keepTail > 1) {
      out.push(...lines.slice(i, i + keepHead), { kind: 'skipped', count: end - i - keepHead - keepTail }, ...lines.slice(end - keepTail, end));
    } else out.push(...lines.slice(i, end));
    i = end;
  }
  return out;
}
