import { Suspense, type ReactNode } from 'react';
import { RollbackBanner } from '@/components/rollouts/lazy-rollback-banner';
import { EmergencyBanner } from '@/components/security/emergency-banner';
import { LiveStatusIndicator } from '@/components/ui/live-status';
import { RefreshSelect } from '@/components/ui/refresh-select';
import type { Theme } from '@/lib/theme';
import { ClusterIndicator } from './cluster-indicator';
import { ClusterNotice } from './cluster-notice';
import { NamespaceSelect } from './namespace-select';
import { NavLinks } from './nav-links';
import { SearchBox } from './search-box';
import { ShellFrame } from './shell-frame';
import { ThemeToggle } from './theme-toggle';
import { UserMenu } from './user-menu';
import styles from './shell.module.css';

export function AppShell({
  children,
  initialTheme,
  initialNavCollapsed,
}: {
  children: ReactNode;
  initialTheme: Theme | undefined;
  initialNavCollapsed: boolean;
}) {
  return (
    <ShellFrame
      initialCollapsed={initialNavCollapsed}
      nav={
        <Suspense>
          <NavLinks />
        </Suspense>
      }
      menuFooter={
        <>
          <Suspense>
            <RefreshSelect />
          </Suspense>
          <UserMenu />
        </>
      }
      header={
        <>
          <div className={styles.scope}>
            <Suspense>
              <NamespaceSelect />
            </Suspense>
            <Suspense>
              <SearchBox />
            </Suspense>
          </div>
          <div className={styles.tools}>
            <LiveStatusIndicator />
            <div className={styles.wideOnly}>
              <Suspense>
                <RefreshSelect />
              </Suspense>
            </div>
            <ClusterIndicator />
            <ThemeToggle initialTheme={initialTheme} />
            <div className={styles.wideOnly}>
              <UserMenu />
            </div>
          </div>
        </>
      }
      banners={
        <>
          <EmergencyBanner />
          <RollbackBanner />
          <ClusterNotice />
        </>
      }
    >
      {children}
    </ShellFrame>
  );
}
