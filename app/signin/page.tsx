import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { DemoSignIn, OidcSignIn } from '@/components/auth/sign-in-form';
import { DEMO_USERS } from '@/lib/auth/options';
import { authOptions, currentUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

export default async function SignInPage() {
  if (await currentUser()) redirect('/');
  const ids = authOptions.providers.map((p) => p.id);
  const oidc = authOptions.providers.find((p) => p.id === 'oidc');
  return (
    <main className="shell-main narrow">
      <h1>Sign in to Meshdeck</h1>
      {oidc && <OidcSignIn name={oidc.name} />}
      {ids.includes('credentials') && (
        <section aria-labelledby="demo-title" className="panel">
          <h2 id="demo-title">Demo users</h2>
          <p className="muted">For the sandbox only (MESHDECK_DEMO_AUTH=1). The password is in the README.</p>
          <DemoSignIn users={DEMO_USERS.map(({ id, name }) => ({ id, name }))} />
        </section>
      )}
      {ids.length === 0 && (
        <p role="alert" className="notice-inline warn">
          No sign-in method is configured. Set MESHDECK_OIDC_ISSUER, MESHDECK_OIDC_CLIENT_ID and MESHDECK_OIDC_CLIENT_SECRET (any OpenID Connect provider), or
          MESHDECK_DEMO_AUTH=1 for the sandbox.
        </p>
      )}
    </main>
  );
}
