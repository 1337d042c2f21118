import styles from './graph.module.css';

/** What the canvas' colours and marks mean (the same marks as edge-overlay.ts draws). */
export function GraphLegend() {
  return (
    <ul className={styles.legend} aria-label="Legend">
      <li>
        <span className={`${styles.swatch} ${styles.ok}`} aria-hidden="true" /> errors ≤ 1 %
      </li>
      <li>
        <span className={`${styles.swatch} ${styles.warn}`} aria-hidden="true" /> &gt; 1 %
      </li>
      <li>
        <span className={`${styles.swatch} ${styles.bad}`} aria-hidden="true" /> &gt; 5 %
      </li>
      <li>
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" className={styles.padlock}>
          <path d="M5 7V5.5a3 3 0 0 1 6 0V7" fill="none" stroke="currentColor" strokeWidth="2" />
          <rect x="3" y="7" width="10" height="7" fill="currentColor" />
        </svg>{' '}
        mTLS
      </li>
      <li>
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" className={styles.plaintext}>
          <path d="M8 1.5 15 14.5H1Z" fill="currentColor" />
          <path d="M8 6v4.5M8 12v1" stroke="var(--surface)" strokeWidth="1.8" />
        </svg>{' '}
        plaintext
      </li>
      <li className="muted">○ workload · △ service · ◇ gateway · ▭ external host</li>
    </ul>
  );
}
