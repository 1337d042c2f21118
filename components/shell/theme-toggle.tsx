'use client';

import { useState, useSyncExternalStore } from 'react';
import { THEME_COOKIE, type Theme } from '@/lib/theme';

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
    <button type="button" className="button button-quiet" aria-pressed={dark} onClick={toggle}>
      Dark theme
    </button>
  );
}
