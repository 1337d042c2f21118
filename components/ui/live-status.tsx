'use client';

import { useLiveStatus } from '@/lib/queries/live-updates';
import styles from './live-status.module.css';

/**
 * Says when pushed updates are not flowing (the views then refresh every few seconds instead);
 * nothing while they are, or while no page needs them.
 */
export function LiveStatusIndicator() {
  const paused = useLiveStatus() === 'paused';
  // The live region stays in the page, so the message is announced when it appears.
  return (
    <p role="status" aria-label="Live updates" className={paused ? styles.paused : styles.flowing}>
      {paused ? 'Live updates paused — reconnecting' : ''}
    </p>
  );
}
