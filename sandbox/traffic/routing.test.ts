import { describe, expect, it } from 'vitest';
import { durationMs, matchFits, pickDestination, selectRoute, virtualServiceApplies, type HTTPRoute, type RequestInfo } from './routing.ts';

const request = (headers: Record<string, string> = {}, path = '/api/v1/nutrition/meals'): RequestInfo => ({
  host: 'nutrition-service',
  path,
  method: 'GET',
  headers,
});

describe('Istio HTTP routing', () => {
  const routes: HTTPRoute[] = [
    {
      name: 'beta',
      match: [{ uri: { prefix: '/api/v1/nutrition' }, headers: { 'x-user-tier': { exact: 'beta' }, 'x-canary-enabled': { exact: 'true' } } }],
      route: [{ destination: { host: 'n', subset: 'canary' } }],
    },
    { name: 'eu', match: [{ headers: { 'cloudfront-viewer-country': { regex: 'DE|FR|IE' } } }], route: [{ destination: { host: 'n', subset: 'eu' } }] },
    {
      name: 'default',
      route: [
        { destination: { host: 'n', subset: 'stable' }, weight: 95 },
        { destination: { host: 'n', subset: 'canary' }, weight: 5 },
      ],
    },
  ];

  it('takes the first route whose match fits, all conditions of a match required', () => {
    expect(selectRoute(routes, request({ 'x-user-tier': 'beta', 'x-canary-enabled': 'true' }))?.route.name).toBe('beta');
    expect(selectRoute(routes, request({ 'x-user-tier': 'beta' }))?.route.name).toBe('default');
    expect(selectRoute(routes, request({ 'x-user-tier': 'beta', 'x-canary-enabled': 'true' }, '/api/v1/other'))?.route.name).toBe('default');
  });

  it('matches regexes against the whole value, as Envoy (RE2) does', () => {
    expect(selectRoute(routes, request({ 'cloudfront-viewer-country': 'DE' }))?.route.name).toBe('eu');
    expect(selectRoute(routes, request({ 'cloudfront-viewer-country': 'DEU' }))?.route.name).toBe('default');
  });

  it('honours withoutHeaders and query parameters', () => {
    expect(matchFits({ withoutHeaders: { 'x-debug': {} } }, request({ 'x-debug': '1' }))).toBe(false);
    expect(matchFits({ queryParams: { v: { exact: '2' } } }, request({}, '/x?v=2'))).toBe(true);
  });

  it('draws weighted destinations in proportion', () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const d = pickDestination(routes[2]!, random)!;
      counts[d.subset!] = (counts[d.subset!] ?? 0) + 1;
    }
    expect(counts.canary! / 20_000).toBeCloseTo(0.05, 2);
    expect(
      pickDestination(
        {
          route: [
            { destination: { host: 'n', subset: 'a' }, weight: 0 },
            { destination: { host: 'n', subset: 'b' }, weight: 100 },
          ],
        },
        () => 0,
      )?.subset,
    ).toBe('b');
  });

  it('binds VirtualServices to gateways or the mesh', () => {
    const spec = { hosts: ['nutrition-service', 'api.ai-nutritionist.com'], gateways: ['ai-nutritionist-gateway', 'mesh'] };
    expect(
      virtualServiceApplies(spec, 'ai-nutritionist', { ...request(), gateway: 'ai-nutritionist/ai-nutritionist-gateway', host: 'api.ai-nutritionist.com' }),
    ).toBe(true);
    expect(virtualServiceApplies(spec, 'ai-nutritionist', request())).toBe(true);
    expect(virtualServiceApplies({ hosts: ['api.ai-nutritionist.com'], gateways: ['ai-nutritionist-gateway'] }, 'ai-nutritionist', request())).toBe(false);
  });

  it('parses Istio durations', () => {
    expect([durationMs('60s'), durationMs('1.5s'), durationMs('250ms'), durationMs('2m'), durationMs('1m30s'), durationMs('10 parsecs')]).toEqual([
      60_000,
      1500,
      250,
      120_000,
      90_000,
      undefined,
    ]);
  });
});
