import { describe, expect, it } from 'vitest';
import { hostsOverlap, hostSubsetOf } from './lookups';

describe('host matching (Istio host.Name)', () => {
  it('SubsetOf: a host is covered by itself and the wildcards above it, a wildcard only by a wider one', () => {
    expect(hostSubsetOf('api.shop.example.com', 'api.shop.example.com')).toBe(true);
    expect(hostSubsetOf('api.shop.example.com', '*.example.com')).toBe(true);
    expect(hostSubsetOf('api.shop.example.com', '*')).toBe(true);
    expect(hostSubsetOf('*.shop.example.com', '*.example.com')).toBe(true);
    expect(hostSubsetOf('*.example.com', '*.shop.example.com')).toBe(false);
    expect(hostSubsetOf('*.example.com', 'api.example.com')).toBe(false);
    expect(hostSubsetOf('example.com', '*.example.com')).toBe(false);
  });

  it('Matches: two hosts overlap when either covers the other', () => {
    expect(hostsOverlap('*.example.com', 'api.example.com')).toBe(true);
    expect(hostsOverlap('api.example.com', '*.example.com')).toBe(true);
    expect(hostsOverlap('*.shop.example.com', '*.example.com')).toBe(true);
    expect(hostsOverlap('*', '*.example.com')).toBe(true);
    expect(hostsOverlap('api.example.com', 'www.example.com')).toBe(false);
    expect(hostsOverlap('*.example.org', '*.example.com')).toBe(false);
  });
});
