'use client';

import { SignOutButton } from '@/components/auth/sign-out-button';
import { useUser } from '@/components/auth/user-context';

export function UserMenu() {
  const { user, readOnly } = useUser();
  return (
    <div className="user-menu" aria-label="Signed-in user" role="group">
      <span>
        {user.email ?? user.name} <span className="badge">{user.role}</span>
        {readOnly && <span className="badge badge-warn">read-only</span>}
      </span>
      <SignOutButton />
    </div>
  );
}
