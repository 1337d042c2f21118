// Property-based fuzzing of every route that takes a body, against the production build with a
// real admin session and this dashboard's Origin: malformed paths (bad indexes, names and
// percent-encoding), malformed bodies (wrong types, missing and unknown fields, huge and unicode
// strings, __proto__, arrays for objects, NaN and floats) and malformed framing (content types,
// bytes that are not UTF-8). Every answer must be a JSON 4xx, and the cluster must not change.
import fc from 'fast-check';
import { expect, test } from '@playwright/test';
import type { KubeObject } from '../sandbox/api/store';
import { apiHarnessForThisFile } from './api-harness';

const RUNS_PER_ROUTE = 300;
const NS = 'ai-nutritionist';
const REASON = 'fuzzing the API';

type FieldType = 'string' | 'int' | 'array' | 'object';
interface WriteRoute {
  method: 'PUT' | 'POST';
  /** Path segments; `:name` marks a parameter and the rule its value must follow. */
  segments: (string | { param: string; valid: (decoded: string) => boolean })[];
  params: Record<string, string>;
  /** A body of the right shape (its resourceVersion is stale on purpose). */
  body: Record<string, unknown>;
  /** The fields whose absence makes the body invalid, and each field's type. */
  required: Record<string, FieldType>;
}

const nameRule = (s: string) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) && s.length <= 63;
const dnsRule = (s: string) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s) && s.length <= 253;
const indexRule = (max: number) => (s: string) => /^(0|[1-9][0-9]*)$/.test(s) && Number(s) <= max;
const p = (param: string, valid: (decoded: string) => boolean) => ({ param, valid });

function routes(names: { vs: string; dr: string; ef: string }): WriteRoute[] {
  const rv = { resourceVersion: '1', reason: REASON };
  const both = { resourceVersion: 'string', reason: 'string' } as const;
  return [
    {
      method: 'PUT',
      segments: ['api', 'traffic', p('namespace', dnsRule), p('name', dnsRule), 'routes', p('index', indexRule(999)), 'weights'],
      params: { namespace: NS, name: names.vs, index: '0' },
      body: { ...rv, weights: [{ host: 'h', weight: 100 }] },
      required: { ...both, weights: 'array' },
    },
    {
      method: 'PUT',
      segments: ['api', 'traffic', p('namespace', dnsRule), p('name', dnsRule), 'routes', p('index', indexRule(999)), 'destinations'],
      params: { namespace: NS, name: names.vs, index: '0' },
      body: { ...rv, destinations: [{ host: 'h', weight: 100 }] },
      required: { ...both, destinations: 'array' },
    },
    {
      method: 'PUT',
      segments: ['api', 'traffic', p('namespace', dnsRule), p('name', dnsRule), 'routes', p('index', indexRule(999)), 'match'],
      params: { namespace: NS, name: names.vs, index: '0' },
      body: { ...rv, match: [] },
      required: { ...both, match: 'array' },
    },
    {
      method: 'PUT',
      segments: ['api', 'resilience', 'routes', p('namespace', nameRule), p('name', nameRule), p('index', indexRule(999))],
      params: { namespace: NS, name: names.vs, index: '0' },
      body: { ...rv },
      required: { ...both },
    },
    {
      method: 'PUT',
      segments: ['api', 'resilience', 'rules', p('namespace', nameRule), p('name', nameRule)],
      params: { namespace: NS, name: names.dr },
      body: { ...rv, values: {} },
      required: { ...both, values: 'object' },
    },
    {
      method: 'PUT',
      segments: ['api', 'security', 'rate-limits', p('namespace', nameRule), p('name', nameRule), p('index', indexRule(99))],
      params: { namespace: NS, name: names.ef, index: '0' },
      body: { ...rv, maxTokens: 10, tokensPerFill: 10, fillInterval: '60s' },
      required: { ...both, maxTokens: 'int', tokensPerFill: 'int', fillInterval: 'string' },
    },
    {
      method: 'POST',
      segments: ['api', 'security', 'emergency', p('namespace', nameRule), 'start'],
      params: { namespace: NS },
      body: { confirm: NS, reason: REASON, minutes: 30 },
      required: { confirm: 'string', reason: 'string' },
    },
    {
      method: 'POST',
      segments: ['api', 'security', 'emergency', p('namespace', nameRule), 'extend'],
      params: { namespace: NS },
      body: { reason: REASON, minutes: 30 },
      required: { reason: 'string', minutes: 'int' },
    },
    {
      method: 'POST',
      segments: ['api', 'security', 'emergency', p('namespace', nameRule), 'restore'],
      params: { namespace: NS },
      body: { reason: REASON },
      required: { reason: 'string' },
    },
    {
      method: 'POST',
      segments: ['api', 'rollouts', p('namespace', nameRule), p('name', dnsRule)],
      params: { namespace: NS, name: names.vs },
      body: {
        ...rv,
        plan: {
          route: 0,
          stable: { host: 'h', subset: 'a' },
          candidate: { host: 'h', subset: 'b' },
          steps: [10, 100],
          stepDuration: '1m',
          interval: '10s',
          window: '1m',
          gates: { maxErrorRate: 0.05 },
          maxFailedChecks: 1,
        },
      },
      required: { ...both, plan: 'object' },
    },
    {
      method: 'POST',
      segments: [
        'api',
        'rollouts',
        p('namespace', nameRule),
        p('name', dnsRule),
        p('action', (s) => ['pause', 'resume', 'abort', 'skip', 'promote', 'acknowledge'].includes(s)),
      ],
      params: { namespace: NS, name: names.vs, action: 'pause' },
      body: { ...rv },
      required: { ...both },
    },
    {
      method: 'POST',
      segments: ['api', 'security', 'evaluate'],
      params: {},
      body: { namespace: NS, app: 'any-app', path: '/' },
      required: { namespace: 'string', app: 'string', path: 'string' },
    },
  ];
}

const pathOf = (route: WriteRoute, params: Record<string, string>) => `/${route.segments.map((s) => (typeof s === 'string' ? s : params[s.param])).join('/')}`;
const decodes = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

// Raw path segments (as sent: HTTP carries no raw space or control character): number spellings, percent-encoding garbage, unicode, huge values.
const rawSegment = fc.oneof(
  fc.constantFrom(
    '%20',
    '0x0',
    '0e0',
    '-0',
    '+0',
    '01',
    '00',
    '-1',
    '1.5',
    '1.',
    'NaN',
    'Infinity',
    '1e3',
    '1000',
    '%ff',
    '%',
    '%zz',
    '%e0%80',
    '%c0%af',
    '%ed%a0%80',
    '%00',
    '%0a',
    '%2F',
    'A',
    'UPPER',
    '__proto__',
    'constructor',
    'prototype',
    '%F0%9F%92%A9',
    'ai_nutritionist',
    '-ns',
    'ns-',
    'a'.repeat(300),
    '9'.repeat(50),
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }).map(encodeURIComponent),
  fc.integer({ min: -1_000_000, max: -1 }).map(String),
  fc.double().map(String),
  fc.stringMatching(/^(%[0-9a-fA-F]{0,2}){1,6}$/),
);

// A value that is not of the given type.
const wrongType = (type: FieldType) => {
  const others = {
    string: fc.oneof(
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
    ),
    int: fc.oneof(
      fc.string(),
      fc.double().filter((d) => !Number.isInteger(d)),
      fc.integer({ max: 0 }),
      fc.constant(2 ** 53),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
    ),
    array: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 3 })),
    object: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 3 })),
  };
  return others[type];
};

type Case = { label: string; path: string; headers: Record<string, string>; body: Buffer | string | undefined };

function cases(route: WriteRoute): fc.Arbitrary<Case> {
  const goodPath = pathOf(route, route.params);
  const json = (body: string, label: string): Case => ({ label, path: goodPath, headers: { 'content-type': 'application/json' }, body });
  const fields = Object.keys(route.required);
  const paramNames = route.segments.flatMap((s) => (typeof s === 'string' ? [] : [s]));
  const arbitraries: fc.Arbitrary<Case>[] = [
    // Bodies: a required field missing, of the wrong type, too long, or an unknown field.
    fc.constantFrom(...fields).map((field) => json(JSON.stringify({ ...route.body, [field]: undefined }), `without ${field}`)),
    fc
      .constantFrom(...fields)
      .chain((field) =>
        wrongType(route.required[field]!).map((value) =>
          json(JSON.stringify({ ...route.body, [field]: value }), `${field}: ${JSON.stringify(value)?.slice(0, 60)}`),
        ),
      ),
    fc
      .string({ unit: 'grapheme', minLength: 501, maxLength: 1200 })
      .map((reason) => json(JSON.stringify({ ...route.body, reason }), 'a reason over 500 characters')),
    fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter(
        (k) =>
          !(k in route.body) &&
          ![
            '__proto__',
            'bucket',
            'subset',
            'timeout',
            'attempts',
            'perTryTimeout',
            'retryOn',
            'minutes',
            'principal',
            'sourceNamespace',
            'requestPrincipal',
            'claims',
            'headers',
            'method',
          ].includes(k),
      )
      .map((key) => json(JSON.stringify({ ...route.body, [key]: 1 }), `unknown key ${JSON.stringify(key)}`)),
    fc
      .jsonValue()
      .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length < 2)
      .map((value) => json(JSON.stringify(value), `body ${JSON.stringify(value)?.slice(0, 60)}`)),
    fc
      .constantFrom(
        `{"__proto__":{"polluted":true},${JSON.stringify(route.body).slice(1)}`,
        `${JSON.stringify(route.body).slice(0, -1)},"constructor":{"prototype":{"polluted":true}}}`,
        `${JSON.stringify(route.body).slice(0, -1)},"reason":NaN}`,
        `${JSON.stringify(route.body).slice(0, -1)},"minutes":1e400,"maxTokens":-0.5}`,
        `[${JSON.stringify(route.body)}]`,
        `${JSON.stringify(route.body)}garbage`,
        '',
        '{',
        'null',
        'NaN',
        '"a string"',
        '[]',
        JSON.stringify({ ...route.body, reason: 'x'.repeat(70 * 1024) }),
      )
      .map((body) => json(body, `raw ${body.slice(0, 60)}`)),
    // Framing: other content types; bytes that are not UTF-8.
    fc
      .constantFrom(
        'text/plain',
        'text/plain;charset=UTF-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'application/jsonp',
        'application/merge-patch+json',
        '',
      )
      .map((type): Case => ({
        label: `content type ${JSON.stringify(type)}`,
        path: goodPath,
        headers: type ? { 'content-type': type } : {},
        body: JSON.stringify(route.body),
      })),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => ({
      label: 'not UTF-8',
      path: goodPath,
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from(`{"reason":"`), Buffer.from([0xff, ...bytes]), Buffer.from('"}')]),
    })),
  ];
  if (paramNames.length) {
    // Paths: one parameter malformed (a body that would be fine otherwise).
    arbitraries.push(
      fc
        .tuple(fc.constantFrom(...paramNames), rawSegment)
        .filter(([param, raw]) => !['', '.', '..'].includes(raw) && !param.valid(decodes(raw) ?? '\u0000'))
        .map(([param, raw]) => ({
          label: `${param.param} = ${JSON.stringify(raw).slice(0, 60)}`,
          path: pathOf(route, { ...route.params, [param.param]: raw }),
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(route.body),
        })),
    );
  }
  return fc.oneof(...arbitraries);
}

const harness = apiHarnessForThisFile();

test(`${RUNS_PER_ROUTE} malformed requests per body-taking route: JSON 4xx every time, the cluster unchanged`, async () => {
  test.setTimeout(180_000);
  const objects = (kind: string) =>
    Object.values(harness().sandbox.store.snapshot().objects)
      .flat()
      .filter((o: KubeObject) => o.kind === kind && o.metadata.namespace === NS);
  const first = (kind: string) => objects(kind)[0]?.metadata.name ?? `no-${kind.toLowerCase()}`;
  const names = { vs: first('VirtualService'), dr: first('DestinationRule'), ef: first('EnvoyFilter') };
  const started = Date.now();
  let sent = 0;
  const statuses = new Map<number, number>();
  for (const route of routes(names)) {
    const before = harness().clusterState();
    await fc.assert(
      fc.asyncProperty(cases(route), async (c) => {
        const response = await harness().send(route.method, c.path, { cookie: harness().cookies.admin, origin: harness().base, ...c.headers }, c.body);
        sent++;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const where = `${route.method} ${c.path.slice(0, 120)} (${c.label}) → ${response.status} ${response.body.slice(0, 300)}`;
        expect(response.status, where).toBeGreaterThanOrEqual(400);
        expect(response.status, where).toBeLessThan(500);
        expect([401, 403], where).not.toContain(response.status); // signed in as admin, same origin: the input is what is refused
        expect(response.type, where).toContain('application/json');
        expect(JSON.parse(response.body), where).toEqual({
          error: expect.objectContaining({ status: response.status, reason: expect.any(String), message: expect.any(String) }),
        });
      }),
      { numRuns: RUNS_PER_ROUTE },
    );
    expect(harness().clusterState(), `${pathOf(route, route.params)} changed the cluster`).toEqual(before);
  }
  console.info(
    `fuzz: ${sent} requests to ${routes(names).length} routes in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
});
