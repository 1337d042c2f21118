'use client';

import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { NAV_COOKIE } from '@/lib/navigation';
import styles from './shell.module.css';

interface ShellNav {
  /** The side navigation shows icons only (wide screens). */
  collapsed: boolean;
  /** Closes the phone menu, e.g. after a link in it was followed. */
  closeMenu: () => void;
}

const ShellNavContext = createContext<ShellNav>({ collapsed: false, closeMenu: () => {} });
export const useShellNav = () => useContext(ShellNavContext);

const MENU_ID = 'main-menu';

/**
 * The console's frame: a side navigation that collapses to icons (remembered in a cookie the
 * server reads, so the first paint already matches) and, on narrow screens, becomes a menu
 * opened from the header; a header; and the page.
 */
export function ShellFrame({
  initialCollapsed,
  nav,
  menuFooter,
  header,
  banners,
  children,
}: {
  initialCollapsed: boolean;
  nav: ReactNode;
  /** Shown under the navigation in the phone menu only (the header holds it on wide screens). */
  menuFooter: ReactNode;
  header: ReactNode;
  banners: ReactNode;
  children: ReactNode;
}) {
  const [collapsed, setCollapsed] = useState(initialCollapsed);
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const sidebar = useRef<HTMLElement>(null);

  const closeMenu = useCallback(() => setMenuOpen(false), []);

  useEffect(() => {
    if (!menuOpen) return;
    sidebar.current?.querySelector<HTMLElement>('nav a')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  function toggleCollapsed() {
    const next = !collapsed;
    document.cookie = `${NAV_COOKIE}=${next ? 'collapsed' : 'expanded'}; path=/; max-age=31536000; samesite=lax`;
    setCollapsed(next);
  }

  return (
    <ShellNavContext.Provider value={{ collapsed, closeMenu }}>
      <div className={styles.shell} data-collapsed={collapsed || undefined} data-menu-open={menuOpen || undefined}>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <aside ref={sidebar} id={MENU_ID} className={styles.sidebar}>
          <div className={styles.brandRow}>
            <span className={styles.brand}>Meshdeck</span>
            <button
              type="button"
              className={styles.collapse}
              aria-expanded={!collapsed}
              aria-label={collapsed ? 'Expand navigation' : 'Collapse navigation'}
              title={collapsed ? 'Expand navigation' : 'Collapse navigation'}
              onClick={toggleCollapsed}
            >
              <span aria-hidden="true">{collapsed ? '»' : '«'}</span>
            </button>
          </div>
          {nav}
          <div className={styles.menuFooter}>{menuFooter}</div>
        </aside>
        {menuOpen && <div className={styles.backdrop} aria-hidden="true" onClick={closeMenu} />}
        <div className={styles.column}>
          <header className={styles.header}>
            <button
              ref={menuButton}
              type="button"
              className={styles.menuButton}
              aria-expanded={menuOpen}
              aria-controls={MENU_ID}
              onClick={() => setMenuOpen((open) => !open)}
            >
              <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round">
                <path d="M2 4h12M2 8h12M2 12h12" />
              </svg>
              Menu
            </button>
            <span className={styles.headerBrand}>Meshdeck</span>
            {header}
          </header>
          {banners}
          <main id="main" className={styles.main}>
            {children}
          </main>
        </div>
      </div>
    </ShellNavContext.Provider>
  );
}
