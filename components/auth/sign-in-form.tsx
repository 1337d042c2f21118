'use client';

import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';

export function OidcSignIn({ name }: { name: string }) {
  return (
    <button type="button" className="button" onClick={() => void signIn('oidc', { callbackUrl: '/' })}>
      Sign in with {name}
    </button>
  );
}

/** The sandbox's demo users (only offered when MESHDECK_DEMO_AUTH=1). */
export function DemoSignIn({ users }: { users: { id: string; name: string }[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    const result = await signIn('credentials', { username: form.get('username'), password: form.get('password'), redirect: false });
    setPending(false);
    if (result?.ok) {
      router.push('/');
      router.refresh();
    }
    // next-auth's generic code for a refused password; anything else (the backoff) says itself.
    else setError(!result?.error || result.error === 'CredentialsSignin' ? 'Wrong user or password.' : result.error);
  }

  return (
    <form onSubmit={submit} className="signin-form" aria-label="Demo sign-in">
      <label>
        User
        <select name="username" defaultValue="operator">
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
      {error && (
        <p role="alert" className="notice-inline bad">
          {error}
        </p>
      )}
    </form>
  );
}
