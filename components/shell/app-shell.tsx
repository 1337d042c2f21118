import { Suspense, type ReactNode } from 'react';
import type { Theme } from '@/lib/theme';
import { ClusterIndicator } from './cluster-indicator';
import { EmergencyBanner } from '@/components/security/emergency-banner';
import { ClusterNotice } from './cluster-notice';
import { NamespaceSelect } from './namespace-select';
import { NavLinks } from './nav-links';
import { ThemeToggle } from './theme-toggle';
import { UserMenu } from './user-menu';

export function AppShell({ children, initialTheme }: { children: ReactNode; initialTheme: Theme | undefined }) {
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <span className="brand">Meshdeck</span>
        <Suspense>
          <NavLinks />
        </Suspense>
        <div className="shell-tools">
          <Suspense>
            <NamespaceSelect />
          </Suspense>
          <ClusterIndicator />
          <ThemeToggle initialTheme={initialTheme} />
          <UserMenu />
        </div>
      </header>
      <EmergencyBanner />
      <ClusterNotice />
      <main id="main" className="shell-main">
        {children}
      </main>
    </div>
  );
}
