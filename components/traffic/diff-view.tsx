import { diffLines } from '@/lib/diff';

export function DiffView({ before, after, label }: { before: string; after: string; label: string }) {
  return (
    <pre className="diff" aria-label={label} tabIndex={0}>
      {diffLines(before, after).map((line, i) => (
        <span key={i} className={`diff-${line.kind}`}>
          {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
          {line.text}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}
