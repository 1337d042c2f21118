// next-auth configuration: a generic OIDC provider (Keycloak, Dex, Okta, Google…) from the
// environment, and for the sandbox and tests only, demo users behind MESHDECK_DEMO_AUTH=1.
import { randomUUID } from 'node:crypto';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { serverEnv } from '@/lib/env';
import { DEMO_ROLE_MAPPING, parseRoleMapping, roleForGroups, type Role } from './roles';
import { isRevoked, revokeSession } from './session-revocation';
import { signInThrottle, type SignInThrottle } from './sign-in-throttle';

type Env = Record<string, string | undefined>;

/** What the options reach outside themselves for; tests pass their own. */
export interface AuthDependencies {
  isRevoked(sessionId: string): Promise<boolean>;
  revokeSession(sessionId: string, endsAt: number): Promise<void>;
  throttle: SignInThrottle;
  now(): number;
}

const defaultDependencies = (): AuthDependencies => ({
  isRevoked: (id) => isRevoked(id),
  revokeSession: (id, endsAt) => revokeSession(id, endsAt),
  throttle: signInThrottle(),
  now: Date.now,
});

/** Thrown from the jwt callback: next-auth then clears the cookie and answers "no session". */
export class SessionEnded extends Error {
  constructor(reason: string) {
    super(`session ended: ${reason}`);
    this.name = 'SessionEnded';
  }
}

const DEFAULT_SESSION_SECONDS = 8 * 3600;

/** MESHDECK_SESSION_MAX_AGE in seconds (default 8 hours); a session also ends when the IdP's ID token expires. */
export function sessionMaxAge(env: Env): number {
  const value = env.MESHDECK_SESSION_MAX_AGE;
  if (value === undefined || value === '') return DEFAULT_SESSION_SECONDS;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 10) throw new Error(`MESHDECK_SESSION_MAX_AGE: "${value}" is not a number of seconds (10 or more)`);
  return seconds;
}

/** When a new session ends (unix seconds): its max age, or earlier when the IdP's token expires first. */
export function sessionEnd(nowSeconds: number, maxAgeSeconds: number, idTokenExpiry: unknown, accessTokenExpiry: unknown): number {
  const limits = [nowSeconds + maxAgeSeconds, idTokenExpiry, accessTokenExpiry].filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
  return Math.min(...limits);
}

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

/** Builds the options from the environment; pure apart from the warning it logs and the dependencies it is given. */
export function buildAuthOptions(env: Env = serverEnv(), deps: AuthDependencies = defaultDependencies()): NextAuthOptions {
  const mapping = parseRoleMapping(env.MESHDECK_ROLE_GROUPS);
  const maxAge = sessionMaxAge(env);
  const providers: NextAuthOptions['providers'] = [];
  const oidc = oidcProvider(env, env.MESHDECK_GROUPS_CLAIM ?? 'groups');
  if (oidc) providers.push(oidc);
  if (demoAuthEnabled(env)) {
    if (env.NODE_ENV === 'production') {
      console.warn(
        '\n*** MESHDECK_DEMO_AUTH=1: demo users (viewer, operator, admin) can sign in with a shared password. Never enable this outside the sandbox. ***\n',
      );
    }
    providers.push(
      CredentialsProvider({
        name: 'Demo users',
        credentials: { username: { label: 'User', type: 'text' }, password: { label: 'Password', type: 'password' } },
        // Per user here; per client address in the sign-in route (lib/auth/sign-in-limit).
        authorize(credentials) {
          const keys = [`user:${credentials?.username ?? ''}`];
          const wait = deps.throttle.retryAfterSeconds(keys);
          if (wait > 0) throw new Error(`Too many failed sign-ins for this user: try again in ${wait} s`);
          const user = DEMO_USERS.find((u) => u.id === credentials?.username);
          if (!user || credentials?.password !== (env.MESHDECK_DEMO_PASSWORD ?? 'meshdeck-demo')) {
            deps.throttle.recordFailure(keys);
            return null;
          }
          deps.throttle.recordSuccess(keys);
          return user;
        },
      }),
    );
  }
  return {
    providers,
    secret: env.NEXTAUTH_SECRET ?? env.AUTH_SECRET,
    session: { strategy: 'jwt', maxAge },
    // Secure cookies (and their __Secure- names) when the public URL is https, e.g. behind a TLS-terminating proxy.
    useSecureCookies: env.NEXTAUTH_URL?.startsWith('https://') ?? false,
    pages: { signIn: '/signin' },
    callbacks: {
      async jwt({ token, user, account, profile }) {
        const now = Math.floor(deps.now() / 1000);
        if (user) {
          const groups = (user as { groups?: string[] }).groups ?? [];
          token.groups = groups;
          token.role = roleForGroups(groups, mapping) ?? null;
          // A session id to revoke on sign-out, and an end no later than the IdP's tokens.
          token.sid = randomUUID();
          token.endsAt = sessionEnd(now, maxAge, (profile as { exp?: unknown } | undefined)?.exp, account?.expires_at);
          return token;
        }
        if (typeof token.sid !== 'string' || typeof token.endsAt !== 'number') throw new SessionEnded('a session from before session ids');
        if (now >= token.endsAt) throw new SessionEnded('expired');
        if (await deps.isRevoked(token.sid)) throw new SessionEnded('signed out');
        return token;
      },
      session({ session, token }) {
        const expires = typeof token.endsAt === 'number' ? new Date(token.endsAt * 1000).toISOString() : session.expires;
        return {
          ...session,
          expires,
          user: { ...session.user, groups: (token.groups as string[] | undefined) ?? [], role: (token.role as Role | null) ?? null },
        };
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === 'string' && typeof token.endsAt === 'number') await deps.revokeSession(token.sid, token.endsAt);
      },
    },
    logger: {
      // An ended session is routine (next-auth reports it as JWT_SESSION_ERROR): one quiet line.
      error(code, metadata) {
        const error = (metadata as { error?: unknown } | undefined)?.error ?? metadata;
        if (error instanceof Error && error.name === 'SessionEnded') console.info(`next-auth: ${error.message}`);
        else console.error(`[next-auth][error][${code}]`, metadata);
      },
      warn(code) {
        console.warn(`[next-auth][warn][${code}]`);
      },
      debug() {},
    },
  };
}
