import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireSameOrigin } from './guards';

const write = (headers: Record<string, string>) =>
  new Request('http://127.0.0.1:3000/api/traffic/ns/vs', { method: 'PUT', headers: { host: '127.0.0.1:3000', ...headers } });
const refusal = (headers: Record<string, string>) => {
  try {
    requireSameOrigin(write(headers));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

afterEach(() => vi.unstubAllEnvs());

describe('same-origin check on writes', () => {
  it('lets the dashboard’s own origin through', () => expect(refusal({ origin: 'http://127.0.0.1:3000' })).toBeUndefined());
  it('refuses another site', () => expect(refusal({ origin: 'https://evil.example' })).toMatch(/https:\/\/evil.example may not change/));
  it('refuses a write without Origin, unless the browser says same-origin', () => {
    expect(refusal({})).toMatch(/needs the Origin header/);
    expect(refusal({ origin: 'null' })).toMatch(/needs the Origin header/);
    expect(refusal({ 'sec-fetch-site': 'cross-site' })).toMatch(/needs the Origin header/);
    expect(refusal({ 'sec-fetch-site': 'same-origin' })).toBeUndefined();
  });
  it('does not let X-Forwarded-Host vouch for another origin without trusted proxies', () => {
    expect(refusal({ origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' })).toMatch(/may not change/);
  });
  it('accepts the public URL from NEXTAUTH_URL behind a proxy that rewrites Host', () => {
    vi.stubEnv('NEXTAUTH_URL', 'https://meshdeck.example.com');
    expect(refusal({ origin: 'https://meshdeck.example.com' })).toBeUndefined();
  });
});
