import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, newNonce } from './content-security-policy';

describe('content security policy', () => {
  it('allows scripts only with the nonce (and what they load), never inline', () => {
    const policy = contentSecurityPolicy('abc123==', false);
    const scripts = policy.split('; ').find((d) => d.startsWith('script-src'));
    expect(scripts).toBe("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
  });
  it('adds eval and the dev websocket only for next dev', () => {
    expect(contentSecurityPolicy('n', false)).not.toMatch(/unsafe-eval|ws:/);
    expect(contentSecurityPolicy('n', true)).toMatch(/'unsafe-eval'.*connect-src 'self' ws:/);
  });
  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    expect(Buffer.from([...nonces][0]!, 'base64')).toHaveLength(16);
  });
});
