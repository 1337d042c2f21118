import { describe, expect, it, vi } from 'vitest';
import { buildAuthOptions } from './options';
import { SignInThrottle } from './sign-in-throttle';

describe('auth options', () => {
  it('has no credentials provider without MESHDECK_DEMO_AUTH=1', () => {
    expect(buildAuthOptions({ NODE_ENV: 'production' }).providers.map((p) => p.id)).toEqual([]);
    expect(buildAuthOptions({ MESHDECK_DEMO_AUTH: '0' }).providers.map((p) => p.id)).toEqual([]);
  });

  it('adds the demo users with the flag, and warns loudly in production', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(buildAuthOptions({ MESHDECK_DEMO_AUTH: '1', NODE_ENV: 'production' }).providers.map((p) => p.id)).toEqual(['credentials']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Never enable this outside the sandbox'));
    warn.mockRestore();
  });

  it('configures a generic OIDC provider from the environment, reading groups from the configured claim', () => {
    const options = buildAuthOptions({
      MESHDECK_OIDC_ISSUER: 'https://sso.example.com/realms/ops/',
      MESHDECK_OIDC_CLIENT_ID: 'meshdeck',
      MESHDECK_OIDC_CLIENT_SECRET: 's3cret',
      MESHDECK_GROUPS_CLAIM: 'roles',
    });
    const oidc = options.providers[0] as unknown as { id: string; wellKnown: string; profile: (p: Record<string, unknown>) => { groups: string[] } };
    expect(oidc.id).toBe('oidc');
    expect(oidc.wellKnown).toBe('https://sso.example.com/realms/ops/.well-known/openid-configuration');
    expect(oidc.profile({ sub: 'u1', roles: ['sre'] }).groups).toEqual(['sre']);
  });

  it('puts the mapped role into the session, none for unmapped groups', async () => {
    const { callbacks } = buildAuthOptions({ MESHDECK_ROLE_GROUPS: 'operator=sre' });
    const token = await callbacks!.jwt!({ token: {}, user: { id: 'u', groups: ['sre'] } as never, account: null } as never);
    expect(token.role).toBe('operator');
    const none = await callbacks!.jwt!({ token: {}, user: { id: 'u', groups: ['sales'] } as never, account: null } as never);
    expect(none.role).toBeNull();
  });
});

describe('session lifetime and revocation', () => {
  const revoked = new Set<string>();
  let now = 1_000_000_000;
  const deps = () => ({
    isRevoked: async (id: string) => revoked.has(id),
    revokeSession: async (id: string) => void revoked.add(id),
    throttle: new SignInThrottle({ freeFailures: 1, baseDelayMs: 60_000, maxDelayMs: 60_000, forgetAfterMs: 3_600_000 }),
    now: () => now * 1000,
  });
  const signIn = (options: ReturnType<typeof buildAuthOptions>, extra: Record<string, unknown> = {}) =>
    options.callbacks!.jwt!({ token: {}, user: { id: 'u', groups: ['meshdeck:operators'] } as never, account: null, ...extra } as never);
  const read = (options: ReturnType<typeof buildAuthOptions>, token: Record<string, unknown>) => options.callbacks!.jwt!({ token } as never);

  it('gives each session an id and ends it at the max age, or earlier at the ID token’s expiry', async () => {
    const options = buildAuthOptions({ MESHDECK_SESSION_MAX_AGE: '3600' }, deps());
    const plain = await signIn(options);
    expect(plain.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(plain.endsAt).toBe(now + 3600);
    const idp = await signIn(options, { profile: { exp: now + 300 }, account: { expires_at: now + 600 } });
    expect(idp.endsAt).toBe(now + 300);
    expect((await read(options, idp)).sid).toBe(idp.sid);
    now += 300;
    await expect(read(options, idp)).rejects.toThrow(/session ended: expired/);
    expect(() => buildAuthOptions({ MESHDECK_SESSION_MAX_AGE: 'an hour' }, deps())).toThrow(/MESHDECK_SESSION_MAX_AGE/);
  });

  it('refuses a signed-out session and one without an id', async () => {
    const options = buildAuthOptions({}, deps());
    const token = await signIn(options);
    await options.events!.signOut!({ token, session: undefined as never });
    await expect(read(options, token)).rejects.toThrow(/session ended: signed out/);
    await expect(read(options, { name: 'old' })).rejects.toThrow(/before session ids/);
  });

  it('backs off a demo user after failed passwords', async () => {
    const options = buildAuthOptions({ MESHDECK_DEMO_AUTH: '1' }, deps());
    const credentials = options.providers[0] as unknown as { options: { authorize: (c: Record<string, string>) => Promise<unknown> } };
    const attempt = async (password: string) => credentials.options.authorize({ username: 'operator', password });
    expect(await attempt('wrong')).toBeNull();
    expect(await attempt('wrong')).toBeNull();
    // One free failure, then a minute's wait: the right password is refused too until it is over.
    await expect(attempt('meshdeck-demo')).rejects.toThrow(/Too many failed sign-ins for this user: try again in 60 s/);
    now += 61;
  });

  it('uses secure cookies when the public URL is https', () => {
    expect(buildAuthOptions({ NEXTAUTH_URL: 'https://meshdeck.example.com' }, deps()).useSecureCookies).toBe(true);
    expect(buildAuthOptions({ NEXTAUTH_URL: 'http://127.0.0.1:3000' }, deps()).useSecureCookies).toBe(false);
  });
});
