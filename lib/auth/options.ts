// next-auth configuration: a generic OIDC provider (Keycloak, Dex, Okta, Google…) from the
// environment, and for the sandbox and tests only, demo users behind MESHDECK_DEMO_AUTH=1.
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { DEMO_ROLE_MAPPING, parseRoleMapping, roleForGroups, type Role } from './roles';

type Env = Record<string, string | undefined>;

export const DEMO_USERS = [
  { id: 'viewer', name: 'Demo Viewer', email: 'viewer@meshdeck.local', groups: DEMO_ROLE_MAPPING.viewer },
  { id: 'operator', name: 'Demo Operator', email: 'operator@meshdeck.local', groups: DEMO_ROLE_MAPPING.operator },
  { id: 'admin', name: 'Demo Admin', email: 'admin@meshdeck.local', groups: DEMO_ROLE_MAPPING.admin },
];

export const demoAuthEnabled = (env: Env) => env.MESHDECK_DEMO_AUTH === '1';

function oidcProvider(env: Env, groupsClaim: string): NextAuthOptions['providers'][number] | undefined {
  const issuer = env.MESHDECK_OIDC_ISSUER?.replace(/\/$/, '');
  if (!issuer || !env.MESHDECK_OIDC_CLIENT_ID || !env.MESHDECK_OIDC_CLIENT_SECRET) return undefined;
  return {
    id: 'oidc',
    name: env.MESHDECK_OIDC_NAME ?? 'Single sign-on',
    type: 'oauth',
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    issuer,
    clientId: env.MESHDECK_OIDC_CLIENT_ID,
    clientSecret: env.MESHDECK_OIDC_CLIENT_SECRET,
    authorization: { params: { scope: env.MESHDECK_OIDC_SCOPES ?? 'openid email profile groups' } },
    idToken: true,
    checks: ['pkce', 'state'],
    profile(profile: Record<string, unknown>) {
      const groups = profile[groupsClaim];
      return {
        id: String(profile.sub),
        name: (profile.name as string | undefined) ?? (profile.preferred_username as string | undefined) ?? String(profile.sub),
        email: profile.email as string | undefined,
        groups: Array.isArray(groups) ? groups.map(String) : typeof groups === 'string' ? groups.split(',') : [],
      };
    },
  };
}

/** Builds the options from the environment; pure apart from the warning it logs. */
export function buildAuthOptions(env: Env = process.env): NextAuthOptions {
  const mapping = parseRoleMapping(env.MESHDECK_ROLE_GROUPS);
  const providers: NextAuthOptions['providers'] = [];
  const oidc = oidcProvider(env, env.MESHDECK_GROUPS_CLAIM ?? 'groups');
  if (oidc) providers.push(oidc);
  if (demoAuthEnabled(env)) {
    if (env.NODE_ENV === 'production') {
      console.warn('\n*** MESHDECK_DEMO_AUTH=1: demo users (viewer, operator, admin) can sign in with a shared password. Never enable this outside the sandbox. ***\n');
    }
    providers.push(
      CredentialsProvider({
        name: 'Demo users',
        credentials: { username: { label: 'User', type: 'text' }, password: { label: 'Password', type: 'password' } },
        authorize(credentials) {
          const user = DEMO_USERS.find((u) => u.id === credentials?.username);
          if (!user || credentials?.password !== (env.MESHDECK_DEMO_PASSWORD ?? 'meshdeck-demo')) return null;
          return user;
        },
      }),
    );
  }
  return {
    providers,
    secret: env.NEXTAUTH_SECRET ?? env.AUTH_SECRET,
    session: { strategy: 'jwt', maxAge: 8 * 3600 },
    pages: { signIn: '/signin' },
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          const groups = (user as { groups?: string[] }).groups ?? [];
          token.groups = groups;
          token.role = roleForGroups(groups, mapping) ?? null;
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, groups: (token.groups as string[] | undefined) ?? [], role: (token.role as Role | null) ?? null } };
      },
    },
  };
}
