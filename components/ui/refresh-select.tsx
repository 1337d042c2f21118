'use client';

import { REFRESH_CHOICES, useMetricsRefreshSetting } from '@/lib/queries/metrics-refresh';
import styles from './refresh-select.module.css';

/** How often the Prometheus panels refresh (off, 5, 10, 30, 60 s), kept in the URL's `refresh`. */
export function RefreshSelect() {
  const [seconds, setSeconds] = useMetricsRefreshSetting();
  return (
    <label className={styles.picker}>
      <span className={styles.label}>Metrics refresh</span>
      <select value={seconds} onChange={(e) => setSeconds(Number(e.target.value))}>
        {REFRESH_CHOICES.map((choice) => (
          <option key={choice} value={choice}>
            {choice ? `every ${choice} s` : 'off'}
          </option>
        ))}
      </select>
    </label>
  );
}
