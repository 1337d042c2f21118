import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from '../../sandbox/api/patch.ts';
import { POLICY_FIELDS, PRESETS, consequences, fromForm, policyPatch, routeResiliencePatch, toForm, validateField, validateRoute } from './resilience';
import type { DestinationRule, VirtualService } from './types';

const coachPolicy = { loadBalancer: { simple: 'LEAST_CONN' }, connectionPool: { tcp: { maxConnections: 50, connectTimeout: '30s' }, http: { http1MaxPendingRequests: 25, http2MaxRequests: 50, maxRequestsPerConnection: 5, maxRetries: 2, idleTimeout: '300s' } }, outlierDetection: { consecutiveGatewayErrors: 3, consecutive5xxErrors: 3, interval: '15s', baseEjectionTime: '15s', maxEjectionPercent: 30, minHealthPercent: 50 }, tls: { mode: 'ISTIO_MUTUAL', sni: 'x' } };
const rule = (): DestinationRule => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'coach', namespace: 'shop', resourceVersion: '9' }, spec: { host: 'coach', trafficPolicy: structuredClone(coachPolicy), subsets: [{ name: 'a', labels: { v: 'a' } }] } });

describe('validating every field', () => {
  const spec = (key: string) => POLICY_FIELDS.find((f) => f.key === key)!;
  it.each([
    ['connectionPool.tcp.maxConnections', '0', 'at least 1'],
    ['connectionPool.tcp.maxConnections', '2.5', 'whole number'],
    ['connectionPool.tcp.connectTimeout', '10 parsecs', 'not a duration'],
    ['connectionPool.http.http1MaxPendingRequests', '-1', 'whole number'],
    ['connectionPool.http.http2MaxRequests', '0', 'at least 1'],
    ['connectionPool.http.maxRequestsPerConnection', 'x', 'whole number'],
    ['connectionPool.http.maxRetries', '1.5', 'whole number'],
    ['connectionPool.http.idleTimeout', '5 minutes', 'not a duration'],
    ['outlierDetection.consecutive5xxErrors', 'three', 'whole number'],
    ['outlierDetection.consecutiveGatewayErrors', '-2', 'whole number'],
    ['outlierDetection.interval', '0s', 'at least 1ms'],
    ['outlierDetection.baseEjectionTime', '15', 'not a duration'],
    ['outlierDetection.maxEjectionPercent', '101', 'at most 100%'],
    ['outlierDetection.minHealthPercent', '150', 'at most 100%'],
    ['loadBalancer.simple', 'FASTEST', 'must be one of'],
    ['loadBalancer.consistentHash.httpHeaderName', 'x user', 'header or cookie name'],
    ['loadBalancer.consistentHash.httpCookie.name', '', undefined],
    ['loadBalancer.consistentHash.useSourceIp', 'yes', 'true or false'],
    ['tls.mode', 'PLAIN', 'must be one of'],
  ])('%s = %j', (key, value, message) => {
    const error = validateField(spec(key), value);
    if (message === undefined) expect(error).toBeUndefined();
    else expect(error).toContain(message);
  });

  it('accepts good values and covers every field in the form', () => {
    const form = toForm(coachPolicy);
    expect(Object.keys(form)).toHaveLength(POLICY_FIELDS.length);
    const { policy, errors } = fromForm(form, coachPolicy);
    expect(errors).toEqual({});
    expect(policy).toEqual(coachPolicy); // round trip, TLS sni kept
  });

  it('refuses a simple and a hashing load balancer at once, and two hash keys', () => {
    const form = { ...toForm(coachPolicy), 'loadBalancer.consistentHash.httpHeaderName': 'x-user-id' };
    expect(fromForm(form).errors['loadBalancer.simple']).toContain('not both');
    const twoKeys = { ...form, 'loadBalancer.simple': '', 'loadBalancer.consistentHash.useSourceIp': 'true' };
    expect(fromForm(twoKeys).errors['loadBalancer.consistentHash.httpHeaderName']).toContain('one thing only');
  });

  it('validates route timeouts and retries', () => {
    expect(validateRoute({ timeout: '10 parsecs', attempts: '2', perTryTimeout: '5s', retryOn: '5xx' }).timeout).toContain('not a duration');
    expect(validateRoute({ timeout: '90s', attempts: 'two', perTryTimeout: '', retryOn: '' }).attempts).toContain('whole number');
    expect(validateRoute({ timeout: '', attempts: '', perTryTimeout: '1 hour', retryOn: '' }).perTryTimeout).toBeDefined();
    expect(validateRoute({ timeout: '', attempts: '', perTryTimeout: '', retryOn: '5xx,sometimes' }).retryOn).toContain('sometimes');
    expect(validateRoute({ timeout: '90s', attempts: '2', perTryTimeout: '30s', retryOn: '5xx,503,connect-failure' })).toEqual({});
  });
});

describe('patch building', () => {
  it('changes one field of the top-level policy with the version as precondition', () => {
    const { policy } = fromForm({ ...toForm(coachPolicy), 'outlierDetection.consecutive5xxErrors': '5' }, coachPolicy);
    const ops = policyPatch(rule(), {}, policy);
    expect(ops[0]).toEqual({ op: 'replace', path: '/metadata/resourceVersion', value: '9' });
    const result = applyJsonPatch(rule(), ops) as DestinationRule;
    expect((result.spec.trafficPolicy as typeof coachPolicy).outlierDetection.consecutive5xxErrors).toBe(5);
  });

  it('adds a subset policy, and removes a policy that became empty', () => {
    const add = policyPatch(rule(), { subset: 'a' }, { loadBalancer: { simple: 'RANDOM' } });
    expect(add).toContainEqual({ op: 'test', path: '/spec/subsets/0/name', value: 'a' });
    expect(add.at(-1)).toEqual({ op: 'add', path: '/spec/subsets/0/trafficPolicy', value: { loadBalancer: { simple: 'RANDOM' } } });
    expect(policyPatch(rule(), {}, {}).at(-1)).toEqual({ op: 'remove', path: '/spec/trafficPolicy' });
    expect(() => policyPatch(rule(), { subset: 'zzz' }, {})).toThrow(/no subset zzz/);
  });

  it('sets, adds and removes route timeouts and retries', () => {
    const vs: VirtualService = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'v', namespace: 'shop', resourceVersion: '3' }, spec: { http: [{ name: 'r', timeout: '120s', route: [{ destination: { host: 'coach' } }] }] } };
    const ops = routeResiliencePatch(vs, 0, { timeout: '90s', retries: { attempts: 2, perTryTimeout: '30s', retryOn: '5xx' } });
    expect(ops).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '3' },
      { op: 'test', path: '/spec/http/0/name', value: 'r' },
      { op: 'replace', path: '/spec/http/0/timeout', value: '90s' },
      { op: 'add', path: '/spec/http/0/retries', value: { attempts: 2, perTryTimeout: '30s', retryOn: '5xx' } },
    ]);
    expect(routeResiliencePatch(vs, 0, {}).at(-1)).toEqual({ op: 'remove', path: '/spec/http/0/timeout' });
  });
});

describe('presets and consequences', () => {
  it('presets are valid policies that explain themselves', () => {
    for (const preset of PRESETS) {
      expect(fromForm(toForm(preset.policy)).errors).toEqual({});
      expect(preset.explanation.length).toBeGreaterThan(40);
    }
  });

  it("explains maxEjectionPercent with Envoy's at-least-one rule", () => {
    expect(consequences(coachPolicy, 3)[0]).toBe('maxEjectionPercent 30 with 3 endpoints: at most 1 can be ejected at once (the percentage allows none; Envoy always allows one)');
    expect(consequences(coachPolicy, 10)[0]).toBe('maxEjectionPercent 30 with 10 endpoints: at most 3 can be ejected at once');
  });

  it('flags settings that cancel out or cut retries short', () => {
    const all = consequences(coachPolicy, 3, { timeout: '60s', retries: { attempts: 3, perTryTimeout: '20s' } });
    expect(all).toContain('consecutiveGatewayErrors 3 has no effect: gateway errors are 5xx too, so 3 consecutive 5xx eject first');
    expect(all).toContain('3 retries × 20s per try can outlast the 60s timeout: the last tries are cut off (504 UT)');
    expect(all.some((c) => c.includes('Beyond 50 connections'))).toBe(true);
  });
});
