'use client';

import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { hrefWithNamespace, NAMESPACE_PARAM, pages } from '@/lib/navigation';
import { NavIcon } from './nav-icons';
import { useShellNav } from './shell-frame';
import styles from './shell.module.css';

export function NavLinks() {
  const pathname = usePathname();
  const namespace = useSearchParams().get(NAMESPACE_PARAM);
  const { collapsed, closeMenu } = useShellNav();
  return (
    <nav aria-label="Main">
      <ul className={styles.navList}>
        {pages.map((page) => {
          const current = page.href === '/' ? pathname === '/' : pathname.startsWith(page.href);
          return (
            <li key={page.href}>
              <Link
                href={hrefWithNamespace(page.href, namespace)}
                aria-current={current ? 'page' : undefined}
                className={styles.navLink}
                title={collapsed ? page.label : undefined}
                onClick={closeMenu}
              >
                <NavIcon href={page.href} />
                <span className={`${styles.navLabel}${collapsed ? ' visually-hidden' : ''}`}>{page.label}</span>
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
