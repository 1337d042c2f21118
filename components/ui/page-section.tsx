import { useId, type ReactNode } from 'react';
import styles from './page-section.module.css';

/** A titled part of a page (a region named by its heading), with a one-line note beside the title. */
export function PageSection({ title, note, level = 2, children }: { title: ReactNode; note?: ReactNode; level?: 2 | 3; children: ReactNode }) {
  const id = useId();
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section className={`${styles.section} ${level === 3 ? styles.sub : ''}`} aria-labelledby={id}>
      <div className={styles.head}>
        <Heading id={id}>{title}</Heading>
        {note && <span className="hint">{note}</span>}
      </div>
      {children}
    </section>
  );
}
