import { diffLines } from '@/lib/diff';
import styles from './diff-view.module.css';

const MARK = { added: '+ ', removed: '- ', same: '  ' } as const;

/** A line diff of two documents, unchanged runs folded; focusable so it scrolls by keyboard on a phone. */
export function DiffView({ before, after, label }: { before: string; after: string; label: string }) {
  const lines = diffLines(before, after);
  if (lines.length === 0) {
    return (
      <p className="hint" aria-label={label}>
        No change: the object would stay as it is.
      </p>
    );
  }
  return (
    <pre className={`diff ${styles.diff}`} aria-label={label} tabIndex={0}>
      {lines.map((line, i) =>
        line.kind === 'skipped' ? (
          <span key={i} className={styles.skipped}>
            ⋯ {line.count} unchanged {line.count === 1 ? 'line' : 'lines'}
            {'\n'}
          </span>
        ) : (
          <span key={i} className={`diff-${line.kind}`}>
            {MARK[line.kind]}
            {line.text}
            {'\n'}
          </span>
        ),
      )}
    </pre>
  );
}
