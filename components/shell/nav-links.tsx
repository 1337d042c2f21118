'use client';

import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { hrefWithNamespace, NAMESPACE_PARAM, pages } from '@/lib/navigation';

export function NavLinks() {
  const pathname = usePathname();
  const namespace = useSearchParams().get(NAMESPACE_PARAM);
  return (
    <nav aria-label="Main">
      <ul className="nav-list">
        {pages.map((page) => {
          const current = page.href === '/' ? pathname === '/' : pathname.startsWith(page.href);
          return (
            <li key={page.href}>
              <Link href={hrefWithNamespace(page.href, namespace)} aria-current={current ? 'page' : undefined} className="nav-link">
                {page.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
