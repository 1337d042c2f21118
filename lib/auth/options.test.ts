import { describe, expect, it, vi } from 'vitest';
import { buildAuthOptions } from './options';

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
    const options = buildAuthOptions({ MESHDECK_OIDC_ISSUER: 'https://sso.example.com/realms/ops/', MESHDECK_OIDC_CLIENT_ID: 'meshdeck', MESHDECK_OIDC_CLIENT_SECRET: 's3cret', MESHDECK_GROUPS_CLAIM: 'roles' });
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
