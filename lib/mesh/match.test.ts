import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { emptyMatchForm, formProblems, fromMatchForm, matchProblems, re2Problem, toMatchForm } from './match';
import type { HTTPMatchRequest, VirtualService } from './types';

const roundTrip = (m: HTTPMatchRequest) => fromMatchForm(toMatchForm(m));

describe('match form round trip: every HTTPMatchRequest field survives unchanged', () => {
  const cases: [string, HTTPMatchRequest][] = [
    ['name', { name: 'jason-only' }],
    ['uri exact', { uri: { exact: '/productpage' } }],
    ['uri prefix', { uri: { prefix: '/api/v1' } }],
    ['uri regex', { uri: { regex: '^/ratings/[0-9]+$' } }],
    ['scheme', { scheme: { exact: 'https' } }],
    ['method', { method: { regex: 'GET|HEAD' } }],
    ['authority', { authority: { prefix: 'reviews.' } }],
    [
      'headers, one of each operator and presence',
      { headers: { 'end-user': { exact: 'jason' }, 'x-plan': { prefix: 'gold' }, 'x-id': { regex: '[0-9]+' }, 'x-debug': {} } },
    ],
    ['withoutHeaders', { withoutHeaders: { 'x-canary': { exact: 'off' } } }],
    ['queryParams', { queryParams: { debug: { exact: '1' }, user: { regex: 'j.*' } } }],
    ['ignoreUriCase true', { uri: { prefix: '/Api' }, ignoreUriCase: true }],
    ['ignoreUriCase false, as stored', { uri: { prefix: '/api' }, ignoreUriCase: false }],
    ['sourceLabels', { sourceLabels: { app: 'productpage', 'app.kubernetes.io/version': 'v1' } }],
    ['gateways', { gateways: ['mesh', 'istio-system/bookinfo-gateway'] }],
    ['port', { port: 9080 }],
    ['sourceNamespace', { sourceNamespace: 'frontend' }],
    ['statPrefix', { statPrefix: 'reviews_jason' }],
  ];
  it.each(cases)('%s', (_, match) => {
    expect(roundTrip(match)).toStrictEqual(match);
    expect(matchProblems([match])).toEqual([]);
  });

  it('a block with every field at once', () => {
    const all = Object.assign({}, ...cases.map(([, m]) => m)) as HTTPMatchRequest;
    expect(roundTrip(all)).toStrictEqual(all);
  });

  it('an empty form is an empty match block', () => {
    expect(fromMatchForm(emptyMatchForm())).toStrictEqual({});
  });

  it('the Bookinfo-shaped fixtures round-trip and validate as stored', () => {
    const docs = parseAllDocuments(readFileSync('e2e/fixtures/bookinfo.yaml', 'utf8')).map((d) => d.toJS() as { kind: string });
    const services = docs.filter((d): d is VirtualService => d.kind === 'VirtualService');
    const matches = services.flatMap((vs) => (vs.spec.http ?? []).flatMap((r) => r.match ?? []));
    expect(matches.length).toBeGreaterThanOrEqual(2);
    for (const m of matches) {
      expect(roundTrip(m)).toStrictEqual(m);
      expect(matchProblems([m])).toEqual([]);
    }
    const jason = matches.find((m) => m.sourceLabels)!;
    const form = toMatchForm(jason);
    form.headers[0]!.value = 'jason2';
    expect(fromMatchForm(form)).toStrictEqual({ ...jason, headers: { 'end-user': { exact: 'jason2' } } });
  });
});

describe('match validation as Istio validates', () => {
  const problems = (m: HTTPMatchRequest) => matchProblems([m]).join('\n');
  it('StringMatch is one of exact, prefix or regex', () => {
    expect(problems({ uri: { exact: '/a', prefix: '/b' } })).toMatch(/Match 1, uri: use one of exact, prefix or regex \(it has exact and prefix\)/);
  });
  it('regexes are RE2: no lookaround or backreferences, at most 1024 characters, not empty', () => {
    expect(problems({ headers: { 'x-a': { regex: '(?=abc)' } } })).toMatch(/RE2 does not support lookahead/);
    expect(problems({ uri: { regex: '(a)\\1' } })).toMatch(/backreferences/);
    expect(problems({ method: { regex: '' } })).toMatch(/must not be empty/);
    expect(problems({ authority: { regex: 'a'.repeat(1025) } })).toMatch(/at most 1024/);
    expect(problems({ headers: { 'x-a': { regex: 'enabled|(on' } } })).toMatch(/"enabled\|\(on" is not a valid regular expression/);
    // RE2 syntax JavaScript spells differently is accepted.
    expect(problems({ uri: { regex: '(?i)^/API/(?P<id>[0-9]+)$' } })).toBe('');
  });
  it('header names are lower case (claims-based routing names allowed)', () => {
    expect(problems({ headers: { 'End-User': { exact: 'jason' } } })).toMatch(/header "End-User": a header name is lowercase/);
    expect(problems({ withoutHeaders: { 'X-A': {} } })).toMatch(/without header "X-A"/);
    expect(problems({ headers: { '@request.auth.claims.group': { exact: 'admin' } } })).toBe('');
  });
  it('query parameters match exactly or by regex', () => {
    expect(problems({ queryParams: { debug: { prefix: '1' } } })).toMatch(/not by prefix/);
  });
  it('port is 1–65535', () => {
    expect(problems({ port: 0 })).toMatch(/from 1 to 65535/);
    expect(problems({ port: 65536 })).toMatch(/from 1 to 65535/);
    expect(problems({ port: Number.NaN })).toMatch(/from 1 to 65535/);
    expect(fromMatchForm({ ...emptyMatchForm(), port: '90a' }).port).toBeNaN();
  });
  it('gateways are mesh, name or namespace/name', () => {
    expect(problems({ gateways: ['mesh', 'gw', 'istio-system/gw'] })).toBe('');
    expect(problems({ gateways: ['a/b/c'] })).toMatch(/write "mesh", a name, or namespace\/name/);
    expect(problems({ gateways: ['Istio_System/gw'] })).toMatch(/is not a namespace name/);
  });
  it('source labels and namespace are Kubernetes names', () => {
    expect(problems({ sourceLabels: { 'bad key!': 'x' } })).toMatch(/is not a label name/);
    expect(problems({ sourceLabels: { app: 'no spaces' } })).toMatch(/is not a label value/);
    expect(problems({ sourceNamespace: 'Front_End' })).toMatch(/is not a namespace name/);
  });
  it('a key typed twice in the form is named (an object would drop one)', () => {
    const form = toMatchForm({ headers: { 'x-a': { exact: '1' } } });
    form.headers.push({ key: 'x-a', operator: 'exact', value: '2' });
    expect(formProblems([form])).toContain('Match 1: "x-a" appears twice in headers');
  });
  it('re2Problem accepts ordinary expressions', () => {
    expect(re2Problem('^v[0-9]+(\\.[0-9]+)*$')).toBeUndefined();
  });
});
