import type { SessionUser } from '@/lib/auth/session';
import { SignOutButton } from './sign-out-button';

/** A signed-in user whose groups map to no role. */
export function NoAccess({ user }: { user: SessionUser }) {
  return (
    <main className="shell-main narrow">
      <h1>No access</h1>
      <p>
        You are signed in as <strong>{user.email ?? user.name}</strong>, but none of your groups ({user.groups.join(', ') || 'none'}) maps to a Meshdeck role.
      </p>
      <p>Ask an administrator to add one of your groups to MESHDECK_ROLE_GROUPS (viewer, operator or admin).</p>
      <SignOutButton />
    </main>
  );
}
