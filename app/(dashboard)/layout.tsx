import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { NoAccess } from '@/components/auth/no-access';
import { UserProvider } from '@/components/auth/user-context';
import { AppShell } from '@/components/shell/app-shell';
import { currentUser, readOnlyMode } from '@/lib/auth/session';
import { NAV_COOKIE, parseNavCollapsed } from '@/lib/navigation';
import { parseTheme, THEME_COOKIE } from '@/lib/theme';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user) redirect('/signin');
  if (!user.role) return <NoAccess user={user} />;
  const jar = await cookies();
  const theme = parseTheme(jar.get(THEME_COOKIE)?.value);
  return (
    <UserProvider user={{ name: user.name, email: user.email, role: user.role }} readOnly={readOnlyMode()}>
      <AppShell initialTheme={theme} initialNavCollapsed={parseNavCollapsed(jar.get(NAV_COOKIE)?.value)}>
        {children}
      </AppShell>
    </UserProvider>
  );
}
