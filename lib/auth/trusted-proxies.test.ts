import { describe, expect, it } from 'vitest';
import { clientAddress, ownOrigins, parseTrustedProxies } from './trusted-proxies';

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('trusted proxies', () => {
  it('reads addresses and CIDRs, IPv4 and IPv6, and refuses anything else', () => {
    const proxies = parseTrustedProxies('10.0.0.0/8, 192.168.1.7 fd00::/8');
    expect([proxies.has('10.200.3.4'), proxies.has('192.168.1.7'), proxies.has('192.168.1.8'), proxies.has('fd00::1'), proxies.has('::ffff:10.1.1.1')]).toEqual(
      [true, true, false, true, true],
    );
    expect(() => parseTrustedProxies('10.0.0.0/8,ingress.local')).toThrow(/"ingress.local" is not an IP address or CIDR/);
    expect(parseTrustedProxies(undefined).configured).toBe(false);
  });

  it('takes the client from X-Forwarded-For, skipping trusted hops from the right', () => {
    const proxies = parseTrustedProxies('10.0.0.0/8');
    expect(clientAddress(headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.1.2.3' }), proxies)).toBe('203.0.113.9');
    // A forged first entry cannot hide the address the trusted proxy saw.
    expect(clientAddress(headers({ 'x-forwarded-for': '10.9.9.9, 203.0.113.9' }), proxies)).toBe('203.0.113.9');
  });

  it('without trusted proxies uses the last hop (the socket peer Next fills in)', () => {
    const none = parseTrustedProxies('');
    expect(clientAddress(headers({ 'x-forwarded-for': '1.2.3.4, 127.0.0.1' }), none)).toBe('127.0.0.1');
    expect(clientAddress(headers({}), none)).toBe('unknown');
  });

  it('believes X-Forwarded-Host only with trusted proxies', () => {
    const forwarded = headers({ host: 'meshdeck:3000', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(ownOrigins(forwarded, parseTrustedProxies(''), {})).not.toContain('https://evil.example');
    expect(ownOrigins(forwarded, parseTrustedProxies('10.0.0.0/8'), {})).toContain('https://evil.example');
    expect(ownOrigins(headers({ host: 'internal:3000' }), parseTrustedProxies(''), { NEXTAUTH_URL: 'https://meshdeck.example.com/' })).toEqual([
      'https://meshdeck.example.com',
      'http://internal:3000',
      'https://internal:3000',
    ]);
  });
});
