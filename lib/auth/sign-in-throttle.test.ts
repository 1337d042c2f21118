import { describe, expect, it } from 'vitest';
import { SignInThrottle } from './sign-in-throttle';
import { failedSignIn, signInAttempt } from './sign-in-limit';
import { parseTrustedProxies } from './trusted-proxies';

const policy = { freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 8_000, forgetAfterMs: 60_000 };

describe('sign-in throttle', () => {
  it('lets the free failures pass, then doubles the wait after each failure up to the cap', () => {
    let now = 0;
    const throttle = new SignInThrottle(policy, () => now);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      throttle.recordFailure(['user:alice']);
      waits.push(throttle.retryAfterSeconds(['user:alice']));
    }
    expect(waits).toEqual([0, 0, 0, 1, 2, 4, 8]);
    now += 8_000;
    expect(throttle.retryAfterSeconds(['user:alice'])).toBe(0);
    throttle.recordFailure(['user:alice']);
    expect(throttle.retryAfterSeconds(['user:alice'])).toBe(8);
  });

  it('keeps users and addresses apart, takes the longest wait, and forgets after a quiet hour', () => {
    let now = 0;
    const throttle = new SignInThrottle(policy, () => now);
    for (let i = 0; i < 5; i++) throttle.recordFailure(['user:alice', 'address:203.0.113.9']);
    expect(throttle.retryAfterSeconds(['user:bob', 'address:198.51.100.1'])).toBe(0);
    expect(throttle.retryAfterSeconds(['user:bob', 'address:203.0.113.9'])).toBe(2);
    throttle.recordSuccess(['user:alice']);
    expect(throttle.retryAfterSeconds(['user:alice'])).toBe(0);
    now += 61_000;
    throttle.recordFailure(['address:203.0.113.9']);
    expect(throttle.retryAfterSeconds(['address:203.0.113.9'])).toBe(0);
  });
});

describe('sign-in route backoff', () => {
  const request = (path: string, from: string) => new Request(`http://127.0.0.1:3000${path}`, { method: 'POST', headers: { 'x-forwarded-for': from } });
  const failed = new Response(null, { status: 302, headers: { location: 'http://127.0.0.1:3000/api/auth/error?error=OAuthCallback' } });

  it('counts failed callbacks per client address and answers 429 with Retry-After', async () => {
    const throttle = new SignInThrottle(policy, () => 0);
    const proxies = parseTrustedProxies('');
    for (let i = 0; i < 4; i++) signInAttempt(request('/api/auth/callback/oidc', '203.0.113.9'), throttle, proxies).settle?.(failed);
    const refused = signInAttempt(request('/api/auth/callback/oidc', '203.0.113.9'), throttle, proxies).refused;
    expect(refused?.status).toBe(429);
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect(await refused?.json()).toEqual({ error: expect.stringMatching(/Too many failed sign-ins from your address/) });
    expect(signInAttempt(request('/api/auth/callback/oidc', '198.51.100.1'), throttle, proxies).refused).toBeUndefined();
    // Reading the session or signing out is never throttled.
    expect(signInAttempt(request('/api/auth/session', '203.0.113.9'), throttle, proxies).refused).toBeUndefined();
    expect(signInAttempt(request('/api/auth/signout', '203.0.113.9'), throttle, proxies).refused).toBeUndefined();
  });

  it('tells a failed sign-in from a successful one', () => {
    expect(failedSignIn(failed)).toBe(true);
    expect(failedSignIn(new Response('{}', { status: 401 }))).toBe(true);
    expect(failedSignIn(new Response(null, { status: 302, headers: { location: 'http://127.0.0.1:3000/' } }))).toBe(false);
  });
});
