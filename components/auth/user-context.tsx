'use client';

import { createContext, useContext, type ReactNode } from 'react';
import { can, requiredRole, type Action, type Role } from '@/lib/auth/roles';

interface UserState {
  user: { name: string; email?: string; role: Role };
  readOnly: boolean;
}

const UserContext = createContext<UserState | null>(null);

export function UserProvider({ user, readOnly, children }: UserState & { children: ReactNode }) {
  return <UserContext.Provider value={{ user, readOnly }}>{children}</UserContext.Provider>;
}

export function useUser(): UserState {
  const state = useContext(UserContext);
  if (!state) throw new Error('useUser outside the signed-in dashboard');
  return state;
}

/** Why the signed-in user may not take an action here, or undefined when they may. The server checks again. */
export function useDenial(action: Action): string | undefined {
  const { user, readOnly } = useUser();
  if (readOnly && action !== 'read') return 'Meshdeck is read-only here: no changes can be made.';
  if (!can(user.role, action)) return `Your role (${user.role}) can view this but not change it: that needs ${requiredRole(action)}.`;
  return undefined;
}
