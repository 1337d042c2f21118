'use client';

import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { createContext, useContext, type ReactNode } from 'react';
import { clusterAccessQuery } from '@/lib/auth/access-query';
import { clusterDenial } from '@/lib/auth/cluster-denial';
import { can, requiredRole, type Action, type Role } from '@/lib/auth/roles';
import { NAMESPACE_PARAM } from '@/lib/navigation';

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

/**
 * Why the signed-in user may not take an action here, or undefined when they may: read-only
 * mode, Meshdeck's role, then the cluster's own RBAC for that person (a SelfSubjectRulesReview
 * made as them) in `namespace`, else in the namespace selected in the URL, else in any they
 * can see. The server checks again, and the cluster has the last word.
 */
export function useDenial(action: Action, namespace?: string): string | undefined {
  const { user, readOnly } = useUser();
  const selected = useSearchParams().get(NAMESPACE_PARAM) || undefined;
  const { data: access } = useQuery({ ...clusterAccessQuery(), enabled: action !== 'read' && !readOnly && can(user.role, action) });
  if (readOnly && action !== 'read') return 'Meshdeck is read-only here: no changes can be made.';
  if (!can(user.role, action)) return `Your role (${user.role}) can view this but not change it: that needs ${requiredRole(action)}.`;
  return clusterDenial(access, action, namespace ?? selected);
}
