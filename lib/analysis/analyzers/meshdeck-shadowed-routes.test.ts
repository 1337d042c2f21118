import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { covers, meshdeckShadowedRoutes } from './meshdeck-shadowed-routes';

const to = { route: [{ destination: { host: 'tracks' } }] };
const vs = (http: Record<string, unknown>[], extra: Record<string, unknown> = {}, apiVersion = 'networking.istio.io/v1') =>
  obj('VirtualService', 'rail/tracks', { hosts: ['tracks'], ...extra, http: http.map((h) => ({ ...h, ...to })) }, { apiVersion });
const check = (...http: Record<string, unknown>[]) => findingsOf(meshdeckShadowedRoutes, [vs(http)]);

describe('meshdeck.shadowedroutes (MDK0001)', () => {
  it('reports a route behind a broader prefix, naming the route that shadows it', () => {
    const findings = findingsOf(meshdeckShadowedRoutes, [
      vs(
        [
          { name: 'everything', match: [{ uri: { prefix: '/' } }] },
          { name: 'api', match: [{ uri: { prefix: '/api' } }] },
        ],
        {},
        'networking.istio.io/v1beta1',
      ),
    ]);
    expect(summarize(findings)).toEqual(['MDK0001 VirtualService rail/tracks spec.http[1]']);
    expect(findings[0]!.message).toBe('Route #1 "api" is never used: route #0 "everything" earlier matches every request it would');
  });

  it('sees exact under prefix, header supersets, same methods and catch-alls behind `/`', () => {
    expect(summarize(check({ match: [{ uri: { prefix: '/api' } }] }, { match: [{ uri: { exact: '/api/users' }, method: { exact: 'GET' } }] }))).toEqual([
      'MDK0001 VirtualService rail/tracks spec.http[1]',
    ]);
    const gold = { 'x-tier': { exact: 'gold' } };
    expect(summarize(check({ match: [{ headers: gold }] }, { match: [{ headers: { ...gold, 'x-beta': {} }, method: { exact: 'POST' } }] }))).toHaveLength(1);
    expect(summarize(check({ match: [{ headers: { 'x-tier': {} } }] }, { match: [{ headers: { 'x-tier': { prefix: 'gold' } } }] }))).toHaveLength(1);
    expect(
      summarize(check({ match: [{ method: { exact: 'GET' } }] }, { match: [{ method: { exact: 'GET' }, queryParams: { v: { exact: '2' } } }] })),
    ).toHaveLength(1);
    expect(summarize(check({ match: [{ uri: { prefix: '/' } }] }, {}))).toEqual(['MDK0001 VirtualService rail/tracks spec.http[1]']);
  });

  it('finds the matches of one route shadowed by several earlier routes', () => {
    const findings = check(
      { name: 'a', match: [{ uri: { prefix: '/a' } }] },
      { name: 'b', match: [{ uri: { prefix: '/b' } }] },
      { name: 'both', match: [{ uri: { prefix: '/a/x' } }, { uri: { exact: '/b/y' } }] },
    );
    expect(findings.map((f) => f.message)).toEqual(['Route #2 "both" is never used: routes #0 "a" and #1 "b" earlier match every request it would']);
  });

  it('leaves IST0130’s cases to Istio: after a route without matches, and repeated matches', () => {
    expect(check({}, { match: [{ uri: { prefix: '/api' } }] })).toEqual([]);
    expect(check({ match: [{ uri: { prefix: '/api' } }] }, { match: [{ name: 'again', uri: { prefix: '/api' } }] })).toEqual([]);
    // One repeated match and one only covered: not all repeated, so it is ours.
    expect(check({ match: [{ uri: { prefix: '/api' } }] }, { match: [{ uri: { prefix: '/api' } }, { uri: { prefix: '/api/v2' } }] })).toHaveLength(1);
  });

  it('stays silent where a later route still gets requests', () => {
    expect(check({ match: [{ uri: { prefix: '/api' } }] }, { match: [{ uri: { prefix: '/ap' } }] })).toEqual([]);
    expect(check({ match: [{ method: { exact: 'GET' } }] }, {})).toEqual([]);
    expect(check({ match: [{ headers: { 'x-tier': { exact: 'gold' } }, uri: { prefix: '/' } }] }, { match: [{ uri: { prefix: '/x' } }] })).toEqual([]);
    expect(check({ match: [{ uri: { regex: '/v[0-9]+/.*' } }] }, { match: [{ uri: { exact: '/v1/x' } }] })).toEqual([]);
    expect(check({ match: [{ uri: { prefix: '/a' } }] }, { match: [{ uri: { prefix: '/a' } }, { uri: { prefix: '/b' } }] })).toEqual([]);
    expect(check({ match: [{ port: 8080 }] }, { match: [{ uri: { prefix: '/x' } }] })).toEqual([]);
    expect(check({ match: [{ uri: { prefix: '/' }, futureField: true }] }, {})).toEqual([]);
  });

  it('reads ignoreUriCase, withoutHeaders, source labels and gateways', () => {
    const gateways = ['mesh', 'rail/edge'];
    expect(covers({ uri: { prefix: '/API' }, ignoreUriCase: true }, { uri: { prefix: '/api/v2' } }, gateways)).toBe(true);
    expect(covers({ uri: { prefix: '/api' } }, { uri: { prefix: '/api/v2' }, ignoreUriCase: true }, gateways)).toBe(false);
    expect(covers({ withoutHeaders: { 'x-debug': {} } }, { withoutHeaders: { 'x-debug': {} }, uri: { prefix: '/' } }, gateways)).toBe(true);
    expect(covers({ withoutHeaders: { 'x-debug': { exact: '1' } } }, { withoutHeaders: { 'x-debug': {} } }, gateways)).toBe(true);
    expect(covers({ withoutHeaders: { 'x-debug': {} } }, { withoutHeaders: { 'x-debug': { exact: '1' } } }, gateways)).toBe(false);
    expect(covers({ sourceLabels: { app: 'depot' } }, { sourceLabels: { app: 'depot', track: 'b' } }, gateways)).toBe(true);
    expect(covers({ sourceLabels: { app: 'depot', track: 'b' } }, { sourceLabels: { app: 'depot' } }, gateways)).toBe(false);
    expect(covers({ gateways: ['rail/edge'] }, {}, gateways)).toBe(false);
    expect(covers({ gateways: ['rail/edge'] }, { gateways: ['rail/edge'] }, gateways)).toBe(true);
    expect(covers({}, { gateways: ['rail/edge'] }, gateways)).toBe(true);
  });
});
