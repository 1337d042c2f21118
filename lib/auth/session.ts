import { getServerSession } from 'next-auth';
import { serverEnv } from '@/lib/env';
import { ApiError } from '@/lib/k8s/errors';
import { buildAuthOptions } from './options';
import { can, requiredRole, type Action, type Role } from './roles';

export const authOptions = buildAuthOptions();

export interface SessionUser {
  name: string;
  email: string | undefined;
  groups: string[];
  role: Role | null;
}

export const readOnlyMode = () => serverEnv().MESHDECK_READ_ONLY === '1';

export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  if (!session?.user) return null;
  const user = session.user as { name?: string | null; email?: string | null; groups?: string[]; role?: Role | null };
  return { name: user.name ?? user.email ?? 'unknown', email: user.email ?? undefined, groups: user.groups ?? [], role: user.role ?? null };
}

/** Why a user may not take an action, or undefined when they may (pure, so it is testable). */
export function refusal(user: SessionUser | null, action: Action, readOnly: boolean): ApiError | undefined {
  if (!user) return new ApiError(401, 'Sign in to use Meshdeck', 'Unauthorized');
  if (action !== 'read' && readOnly) return new ApiError(403, 'Meshdeck runs read-only here (MESHDECK_READ_ONLY=1): no changes can be made', 'Forbidden');
  if (!user.role) return new ApiError(403, `None of your groups (${user.groups.join(', ') || 'none'}) maps to a Meshdeck role`, 'Forbidden');
  if (!can(user.role, action)) return new ApiError(403, `Your role (${user.role}) cannot do this: it needs ${requiredRole(action)}`, 'Forbidden');
  return undefined;
}

/** The signed-in user, if allowed to take the action; throws 401/403 otherwise. Every handler calls it. */
export async function requireUser(action: Action): Promise<SessionUser> {
  const user = await currentUser();
  const denied = refusal(user, action, readOnlyMode());
  if (denied) throw denied;
  return user!;
}

/** With MESHDECK_IMPERSONATE=1, writes reach Kubernetes as the signed-in user, so its RBAC applies too. */
export function impersonationFor(user: SessionUser): { user: string; groups: string[] } | undefined {
  if (serverEnv().MESHDECK_IMPERSONATE !== '1') return undefined;
  return { user: user.email ?? user.name, groups: user.groups };
}
