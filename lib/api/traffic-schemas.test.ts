import { describe, expect, it } from 'vitest';
import { destinationsBody, matchBody } from './traffic-schemas';

const write = { resourceVersion: '7', reason: 'test the schema' };

describe('traffic request bodies', () => {
  it('a match using every HTTPMatchRequest field is accepted as it is', () => {
    const match = [
      {
        name: 'jason',
        uri: { regex: '^/reviews/[0-9]+$' },
        scheme: { exact: 'http' },
        method: { exact: 'GET' },
        authority: { prefix: 'reviews' },
        headers: { 'end-user': { exact: 'jason' } },
        withoutHeaders: { 'x-skip': {} },
        queryParams: { debug: { exact: '1' } },
        ignoreUriCase: true,
        sourceLabels: { app: 'productpage' },
        gateways: ['mesh', 'istio-system/bookinfo-gateway'],
        port: 9080,
        sourceNamespace: 'bookinfo',
        statPrefix: 'jason',
      },
    ];
    expect(matchBody.parse({ ...write, match }).match).toStrictEqual(match);
  });

  it('refuses what Istio refuses, with the place and the reason', () => {
    const result = matchBody.safeParse({ ...write, match: [{ headers: { 'End-User': { exact: 'jason' } }, port: 70000, uri: { exact: '/a', regex: 'a' } }] });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'Match 1, uri: use one of exact, prefix or regex (it has exact and regex)',
        'Match 1: the port must be a whole number from 1 to 65535',
      ]),
    );
    expect(messages.some((m) => m.includes('header "End-User": a header name is lowercase'))).toBe(true);
  });

  it('still refuses fields HTTPMatchRequest does not have', () => {
    expect(matchBody.safeParse({ ...write, match: [{ path: { exact: '/' } }] }).success).toBe(false);
  });

  it('a destinations change needs at least one destination with whole-number weights', () => {
    expect(destinationsBody.safeParse({ ...write, destinations: [] }).error!.issues[0]!.message).toBe('a route needs at least one destination');
    expect(destinationsBody.safeParse({ ...write, destinations: [{ host: 'reviews', subset: 'v2', weight: 2.5 }] }).success).toBe(false);
    expect(destinationsBody.parse({ ...write, destinations: [{ host: 'reviews', subset: 'v1', weight: 100 }] }).destinations).toHaveLength(1);
  });
});
