import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyBody, routeBody } from '../api/resilience-schemas';
import { applyJsonPatch } from '../../sandbox/api/patch.ts';
import { CrdRegistry, loadCrdFiles } from '../../sandbox/schema/crd-registry.ts';
import { POLICY_FIELDS, PRESETS, consequences, fromForm, policyPatch, routeResiliencePatch, toForm, validateField, validateRoute } from './resilience';
import type { DestinationRule, VirtualService } from './types';

const coachPolicy = {
  loadBalancer: { simple: 'LEAST_CONN' },
  connectionPool: {
    tcp: { maxConnections: 50, connectTimeout: '30s' },
    http: { http1MaxPendingRequests: 25, http2MaxRequests: 50, maxRequestsPerConnection: 5, maxRetries: 2, idleTimeout: '300s' },
  },
  outlierDetection: {
    consecutiveGatewayErrors: 3,
    consecutive5xxErrors: 3,
    interval: '15s',
    baseEjectionTime: '15s',
    maxEjectionPercent: 30,
    minHealthPercent: 50,
  },
  tls: { mode: 'ISTIO_MUTUAL', sni: 'x' },
};
const rule = (): DestinationRule => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'coach', namespace: 'shop', resourceVersion: '9' },
  spec: { host: 'coach', trafficPolicy: structuredClone(coachPolicy), subsets: [{ name: 'a', labels: { v: 'a' } }] },
});

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
    ['outlierDetection.interval', '1m30s', undefined],
    ['outlierDetection.baseEjectionTime', '1.5s', undefined],
    ['outlierDetection.baseEjectionTime', '1.5ms', 'whole milliseconds'],
    ['connectionPool.tcp.connectTimeout', '-1s', 'not negative'],
    ['connectionPool.tcp.tcpKeepalive.time', '2h', undefined],
    ['connectionPool.tcp.tcpKeepalive.interval', '75', 'needs a unit'],
    ['connectionPool.http.idleTimeout', '300us', 'at least 1ms'],
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
    const vs: VirtualService = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'v', namespace: 'shop', resourceVersion: '3' },
      spec: { http: [{ name: 'r', timeout: '120s', route: [{ destination: { host: 'coach' } }] }] },
    };
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
    expect(consequences(coachPolicy, 3)[0]).toBe('maxEjectionPercent 30 with 3 endpoints: no endpoint can ever be ejected (one would be more than 30%)');
    expect(consequences(coachPolicy, 10)[0]).toBe('maxEjectionPercent 30 with 10 endpoints: at most 3 can be ejected at once');
  });

  it('flags settings that cancel out or cut retries short', () => {
    const all = consequences(coachPolicy, 3, { timeout: '60s', retries: { attempts: 3, perTryTimeout: '20s' } });
    expect(all).toContain('consecutiveGatewayErrors 3 has no effect: gateway errors are 5xx too, so 3 consecutive 5xx eject first');
    expect(all).toContain('3 retries × 20s per try can outlast the 60s timeout: the last tries are cut off (504 UT)');
    expect(all.some((c) => c.includes('Beyond 50 connections'))).toBe(true);
  });
});

const crdDir = new URL('../../sandbox/crds/', import.meta.url).pathname;
const registry = new CrdRegistry(
  loadCrdFiles(
    readdirSync(crdDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(crdDir, f)),
  ),
);
const schemaErrors = (object: object) => registry.validate(object as { apiVersion: string; kind: string }).errors.map((e) => e.message);

describe('durations in every form Istio accepts', () => {
  it('saves interval 1m30s and baseEjectionTime 1.5s through the API schema, the form and the CRD, verbatim', () => {
    const stored = rule();
    (stored.spec.trafficPolicy as typeof coachPolicy).outlierDetection.interval = '1m30s';
    const form = toForm(stored.spec.trafficPolicy);
    expect(form['outlierDetection.interval']).toBe('1m30s'); // displayed as stored
    const body = policyBody.parse({ resourceVersion: '9', reason: 'slower sweeps', values: { ...form, 'outlierDetection.baseEjectionTime': '1.5s' } });
    const { policy, errors } = fromForm(body.values as Record<string, string>, stored.spec.trafficPolicy);
    expect(errors).toEqual({});
    const saved = applyJsonPatch(stored, policyPatch(stored, {}, policy)) as DestinationRule;
    const od = (saved.spec.trafficPolicy as typeof coachPolicy).outlierDetection;
    expect([od.interval, od.baseEjectionTime]).toEqual(['1m30s', '1.5s']);
    expect(schemaErrors(saved)).toEqual([]);
  });

  it('the CRD refuses what the form refuses', () => {
    for (const bad of ['0s', '-1s', '10 parsecs', '15']) {
      const stored = rule();
      (stored.spec.trafficPolicy as typeof coachPolicy).outlierDetection.interval = bad;
      expect(
        validateField(
          POLICY_FIELDS.find((f) => f.key === 'outlierDetection.interval')!,
          bad,
        ),
        bad,
      ).toBeDefined();
      expect(schemaErrors(stored), bad).toEqual([expect.stringContaining('must be a valid duration greater than 1ms')]);
    }
  });

  it('route timeouts and retries: any Go form, at least 1ms, whole milliseconds, through the API schema', () => {
    const body = routeBody.parse({ resourceVersion: '3', reason: 'slow model', timeout: '1m30s', attempts: '3', perTryTimeout: '29.5s', retryOn: '5xx' });
    expect(validateRoute(body)).toEqual({});
    expect(validateRoute({ timeout: '0s', attempts: '', perTryTimeout: '0.5ms', retryOn: '' })).toEqual({
      timeout: 'Timeout must be at least 1ms (Istio refuses 0s)',
      perTryTimeout: 'Per-try timeout must be at least 1ms (Istio refuses 0.5ms)',
    });
    expect(validateRoute({ timeout: '', attempts: '0', perTryTimeout: '5s', retryOn: '' }).attempts).toContain('clear the per-try timeout');
    expect(consequences({}, 1, { timeout: '1m', retries: { attempts: 2, perTryTimeout: '30s' } })).toContain(
      '2 retries × 30s per try can outlast the 1m timeout: the last tries are cut off (504 UT)',
    );
  });
});

describe('saving keeps what the form does not cover', () => {
  const rich = () => ({
    loadBalancer: { consistentHash: { httpQueryParameterName: 'user', ringHash: { minimumRingSize: 1024 } }, localityLbSetting: { enabled: true } },
    connectionPool: {
      tcp: { maxConnections: 10, maxConnectionDuration: '1h', tcpKeepalive: { probes: 3, time: '7200s', interval: '75s' } },
      http: { h2UpgradePolicy: 'UPGRADE', idleTimeout: '1m30s' },
    },
    outlierDetection: { splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 4, interval: '10s' },
    tls: { mode: 'SIMPLE', sni: 'api.example.com', caCertificates: '/etc/ca.pem' },
    portLevelSettings: [{ port: { number: 8080 }, connectionPool: { tcp: { connectTimeout: '250ms' } } }],
  });

  it('an unchanged form gives back the policy byte for byte, key order included', () => {
    const { policy, errors } = fromForm(toForm(rich()), rich());
    expect(errors).toEqual({});
    expect(JSON.stringify(policy)).toBe(JSON.stringify(rich()));
  });

  it('changes one field in place; a key missing from the values keeps its current value', () => {
    const { policy } = fromForm({ 'connectionPool.tcp.tcpKeepalive.time': '2h' }, rich());
    expect(JSON.stringify(policy)).toBe(JSON.stringify(rich()).replace('"7200s"', '"2h"'));
  });

  it('a chosen hash key replaces the one the form does not show; simple replaces the hash; clearing TLS mode drops TLS', () => {
    const header = fromForm({ ...toForm(rich()), 'loadBalancer.consistentHash.httpHeaderName': 'x-user' }, rich()).policy as ReturnType<typeof rich>;
    expect(header.loadBalancer.consistentHash).toEqual({ ringHash: { minimumRingSize: 1024 }, httpHeaderName: 'x-user' });
    const simple = fromForm({ ...toForm(rich()), 'loadBalancer.simple': 'LEAST_REQUEST' }, rich()).policy as ReturnType<typeof rich>;
    expect(simple.loadBalancer).toEqual({ localityLbSetting: { enabled: true }, simple: 'LEAST_REQUEST' });
    const plain = fromForm({ ...toForm(rich()), 'tls.mode': '' }, rich()).policy;
    expect(plain.tls).toBeUndefined();
    const cleared = fromForm(
      {
        ...toForm(rich()),
        'connectionPool.tcp.maxConnections': '',
        'connectionPool.tcp.tcpKeepalive.time': '',
        'connectionPool.tcp.tcpKeepalive.interval': '',
      },
      rich(),
    ).policy as ReturnType<typeof rich>;
    expect(cleared.connectionPool.tcp).toEqual({ maxConnectionDuration: '1h', tcpKeepalive: { probes: 3 } });
  });
});

describe('objects stored through older API versions', () => {
  it.each(['networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'])(
    'a DestinationRule and a VirtualService read as %s are patched without touching apiVersion, and stay valid',
    (apiVersion) => {
      const dr = { ...rule(), apiVersion };
      const ops = policyPatch(dr, { subset: 'a' }, { loadBalancer: { simple: 'RANDOM' } });
      expect(ops.some((op) => /^\/(apiVersion|kind)/.test(op.path))).toBe(false);
      const saved = applyJsonPatch(dr, ops) as DestinationRule;
      expect(saved.apiVersion).toBe(apiVersion);
      expect(schemaErrors(saved)).toEqual([]);
      const vs: VirtualService = {
        apiVersion,
        kind: 'VirtualService',
        metadata: { name: 'v', namespace: 'shop', resourceVersion: '3' },
        spec: { hosts: ['coach'], http: [{ name: 'r', route: [{ destination: { host: 'coach' } }] }] },
      };
      const routeOps = routeResiliencePatch(vs, 0, { timeout: '1m30s' });
      expect(routeOps.some((op) => /^\/(apiVersion|kind)/.test(op.path))).toBe(false);
      expect(schemaErrors(applyJsonPatch(vs, routeOps) as object)).toEqual([]);
    },
  );
});
