import styles from './security.module.css';

const TONE: Record<string, string | undefined> = { STRICT: styles.modeStrict, PERMISSIVE: styles.modePermissive, DISABLE: styles.modeDisable };

/** An mTLS mode as a chip, coloured by how much plaintext it lets in. */
export function ModeChip({ mode }: { mode: string }) {
  return <span className={`${styles.mode} ${TONE[mode] ?? ''}`}>{mode}</span>;
}
