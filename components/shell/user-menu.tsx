'use client';

import { SignOutButton } from '@/components/auth/sign-out-button';
import { useUser } from '@/components/auth/user-context';
import styles from './shell.module.css';

export function UserMenu() {
  const { user, readOnly } = useUser();
  return (
    <div className="user-menu" aria-label="Signed-in user" role="group">
      <span title={`Signed in as ${user.email ?? user.name}`}>
        <span className={styles.userName}>{user.email ?? user.name}</span> <span className="badge">{user.role}</span>
        {readOnly && <span className="badge badge-warn">read-only</span>}
      </span>
      <SignOutButton />
    </div>
  );
}
