'use client';

import { useState, useSyncExternalStore } from 'react';
import { THEME_COOKIE, type Theme } from '@/lib/theme';
import styles from './shell.module.css';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function subscribeToSystemTheme(onChange: () => void) {
  const media = window.matchMedia(DARK_QUERY);
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

/** Toggles dark theme; without a saved choice the page follows the OS preference. */
export function ThemeToggle({ initialTheme }: { initialTheme: Theme | undefined }) {
  const [chosen, setChosen] = useState<Theme | undefined>(initialTheme);
  const systemDark = useSyncExternalStore(
    subscribeToSystemTheme,
    () => window.matchMedia(DARK_QUERY).matches,
    () => false,
  );
  const dark = (chosen ?? (systemDark ? 'dark' : 'light')) === 'dark';

  function toggle() {
    const next: Theme = dark ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    document.cookie = `${THEME_COOKIE}=${next}; path=/; max-age=31536000; samesite=lax`;
    setChosen(next);
  }

  return (
    <button type="button" className={`button button-quiet ${styles.iconButton}`} aria-pressed={dark} title="Dark theme" onClick={toggle}>
      <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" fill="currentColor">
        <path d="M13.5 10.2A6 6 0 0 1 5.8 2.5a6 6 0 1 0 7.7 7.7z" />
      </svg>
      <span className="visually-hidden">Dark theme</span>
    </button>
  );
}
