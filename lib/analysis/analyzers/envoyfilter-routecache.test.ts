import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { K } from '../kinds';
import { findingsOf, obj, summarize } from '../testing';
import { envoyFilterRouteCache } from './envoyfilter-routecache';

const headerFilter = (context: string) =>
  obj('EnvoyFilter', 'edge/add-header', {
    configPatches: [
      { applyTo: 'CLUSTER', patch: { operation: 'ADD', value: { name: 'extauth' } } },
      { applyTo: 'HTTP_FILTER', match: { context }, patch: { operation: 'INSERT_FIRST', value: { name: 'envoy.filters.http.header_mutation' } } },
    ],
  });
const routePolicy = obj('AuthorizationPolicy', 'edge/orders-route', {
  targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'orders' }],
  action: 'DENY',
  rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }],
});
const gatewayPolicy = obj('AuthorizationPolicy', 'edge/gw', { targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' } });

describe('envoyfilter.routecache', () => {
  it('warns on an HTTP filter for gateways when a policy targets an HTTPRoute', () => {
    const findings = findingsOf(envoyFilterRouteCache, [headerFilter('GATEWAY'), routePolicy]);
    expect(summarize(findings)).toEqual(['IST0178 EnvoyFilter edge/add-header spec.configPatches[1]']);
    expect(findings[0]!.level).toBe('Warning');
  });

  it('ignores sidecar patches, policies on other targets, and clusters without Authorization policies read', () => {
    expect(findingsOf(envoyFilterRouteCache, [headerFilter('SIDECAR_INBOUND'), routePolicy])).toEqual([]);
    expect(findingsOf(envoyFilterRouteCache, [headerFilter('ANY'), gatewayPolicy])).toEqual([]);
    expect(new Analysis([envoyFilterRouteCache], [headerFilter('ANY')], { kinds: [K.EnvoyFilter] }).findings()).toEqual([]);
  });

  it('appears when the first HTTPRoute policy is created', () => {
    const analysis = new Analysis([envoyFilterRouteCache], [headerFilter('ANY'), gatewayPolicy]);
    expect(analysis.findings()).toEqual([]);
    expect(summarize(analysis.apply([{ type: 'upsert', object: routePolicy }]).added)).toEqual(['IST0178 EnvoyFilter edge/add-header spec.configPatches[1]']);
  });
});
