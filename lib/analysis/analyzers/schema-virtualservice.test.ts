import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { schemaVirtualService as analyzer } from './schema-virtualservice';

const vs = (spec: Record<string, unknown>, apiVersion = 'networking.istio.io/v1', extra: Record<string, unknown> = {}) =>
  obj('VirtualService', 'loans/rates', spec, { apiVersion, ...extra });
const to = (host = 'rates', weight?: number) => ({ destination: { host }, ...(weight === undefined ? {} : { weight }) });
// Findings come sorted by level, path and message; compare as sets of lines.
const messages = (spec: Record<string, unknown>, apiVersion?: string) =>
  findingsOf(analyzer, [vs(spec, apiVersion)])
    .map((f) => `${f.code} ${f.message}`)
    .sort();
const sorted = (lines: string[]) => [...lines].sort();

describe('schema.validation.virtualservice', () => {
  it('passes a well-formed VirtualService written through each API version', () => {
    const spec = {
      hosts: ['rates', 'rates.loans.example.com'],
      gateways: ['mesh', 'edge/public'],
      http: [
        {
          name: 'beta',
          match: [{ headers: { 'x-beta': { exact: 'yes' } }, uri: { regex: '(?i)^/v2/.*' } }],
          route: [to('rates', 90), { destination: { host: 'rates', subset: 'v2', port: { number: 8080 } }, weight: 10 }],
          timeout: '1m30s',
          retries: { attempts: 3, perTryTimeout: '2.5s', retryOn: '5xx,reset,503' },
          fault: { delay: { fixedDelay: '150ms', percentage: { value: 0.5 } } },
          corsPolicy: { allowOrigins: [{ exact: 'https://loans.example.com' }], allowMethods: ['GET', 'POST'], allowHeaders: ['x-token'], maxAge: '24h' },
          headers: { request: { set: { 'x-forwarded-client': '%DOWNSTREAM_REMOTE_ADDRESS%' } }, response: { remove: ['x-debug'] } },
        },
        { route: [to()] },
      ],
      tcp: [{ match: [{ port: 5432, destinationSubnets: ['10.20.0.0/16'] }], route: [to('ledger-db')] }],
      exportTo: ['.', 'audit'],
    };
    for (const apiVersion of ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'])
      expect(messages(spec, apiVersion)).toEqual([]);
  });

  it('reports hosts, gateways and the route kinds a VirtualService needs', () => {
    expect(messages({ hosts: ['*'], http: [] })).toEqual(
      sorted([
        'IST0106 Schema validation error: wildcard host * is not allowed for virtual services bound to the mesh gateway',
        'IST0106 Schema validation error: http, tcp or tls must be provided in virtual service',
      ]),
    );
    expect(messages({ hosts: ['Rates_Svc', '*.example.com', 'a.example.com'], gateways: ['edge/Public!'], http: [{ route: [to()] }] })).toEqual(
      sorted([
        'IST0106 Schema validation error: invalid value for gateway name: "Public!"',
        'IST0106 Schema validation error: domain name "Rates_Svc" invalid (label "Rates_Svc" invalid)',
      ]),
    );
    expect(messages({ hosts: ['*.example.com', 'a.example.com'], http: [{ route: [to()] }] })).toEqual(
      sorted(['IST0106 Schema validation error: duplicate hosts in virtual service: *.example.com & a.example.com']),
    );
    expect(messages({ hosts: ['rates'], gateways: ['public.edge.svc.cluster.local'], http: [{ route: [to()] }] })).toEqual(
      sorted([
        'IST0133 Schema validation warning: using legacy gatewayName format "public.edge.svc.cluster.local"; prefer the <namespace>/<name> format: "edge/public"',
      ]),
    );
  });

  it('reports route, redirect and direct response used together, and a delegate that routes', () => {
    expect(messages({ hosts: ['rates'], http: [{ route: [to()], redirect: { uri: '/v2' }, directResponse: { status: 200 } }] })).toEqual(
      sorted([
        'IST0106 Schema validation error: HTTP route cannot contain both route and redirect',
        'IST0106 Schema validation error: HTTP route rule cannot contain both direct_response and redirect',
      ]),
    );
    expect(messages({ hosts: ['rates'], http: [{ name: 'root', delegate: { name: 'rates-v2', namespace: 'loans' }, route: [to()] }] })).toEqual(
      sorted(['IST0106 Schema validation error: root HTTP route root must not specify route']),
    );
    expect(messages({ http: [{ delegate: { name: 'x' } }], tcp: [{ route: [to()] }] })).toEqual(
      sorted([
        'IST0106 Schema validation error: delegate virtual service must have no tcp route specified',
        'IST0106 Schema validation error: delegate HTTP route cannot contain delegate',
        'IST0106 Schema validation error: HTTP route, redirect or direct_response is required',
      ]),
    );
    expect(messages({ hosts: ['rates'], http: [{ match: [{ uri: { prefix: '/' } }] }] })).toEqual(
      sorted(['IST0106 Schema validation error: HTTP route, redirect or direct_response is required']),
    );
  });

  it('reports weights, durations, retries, faults and redirects out of range, in Istio words', () => {
    const found = messages({
      hosts: ['rates'],
      http: [
        {
          route: [to('rates', 0), to('rates-v2', 0)],
          timeout: '500us',
          retries: { attempts: 0, perTryTimeout: '1.0005s', retryOn: 'on-failure' },
          fault: { abort: { percentage: { value: 150 } }, delay: { fixedDelay: '0s' } },
        },
        { redirect: { redirectCode: 200, uri: '/x' } },
        { route: [{ destination: { host: '*', subset: 'V_1', port: { number: 70000 } }, weight: -5 }] },
      ],
    });
    expect(found).toEqual(
      sorted([
        'IST0106 Schema validation error: percentage 150 is neither 0.0, nor in range [0.0001, 100.0]',
        'IST0106 Schema validation error: duration must be greater than 1ms',
        'IST0106 Schema validation error: http retry policy configured when attempts are set to 0 (disabled)',
        'IST0106 Schema validation error: only durations to ms precision are supported',
        'IST0106 Schema validation error: "on-failure" is not a valid retryOn policy',
        'IST0106 Schema validation error: total destination weight = 0',
        'IST0106 Schema validation error: duration must be greater than 1ms',
        'IST0106 Schema validation error: 200 is not a valid redirect code, must be 3xx',
        'IST0106 Schema validation error: invalid destination host *',
        'IST0106 Schema validation error: subset name is invalid: V_1',
        'IST0106 Schema validation error: port number 70000 must be in the range 1..65535',
        'IST0106 Schema validation error: weight -5 < 0',
        'IST0133 Schema validation warning: abort configured, but error type not set',
        'IST0130 VirtualService rule #1 not used (only the last rule can have no matches).',
        'IST0130 VirtualService rule #2 not used (only the last rule can have no matches).',
      ]),
    );
  });

  it('reports match fields: header names, empty prefixes, RE2 regexes, JWT claims off a gateway, source namespaces', () => {
    const found = messages({
      hosts: ['rates'],
      http: [
        {
          match: [
            {
              headers: { 'x token': { exact: 'a' }, '@request.auth.claims.group': { exact: 'ops' } },
              method: { prefix: '' },
              uri: { regex: '^/(?=v2)' },
              sourceNamespace: 'Loans_NS',
              sourceLabels: { app: 'web app' },
            },
          ],
          route: [to()],
        },
      ],
    });
    expect(found).toEqual(
      sorted([
        'IST0106 Schema validation error: JWT claim based routing (key: @request.auth.claims.group) is only supported for gateway, found no gateways: []',
        'IST0106 Schema validation error: header name x token is not a valid header name',
        'IST0106 Schema validation error: "uri": error parsing regexp: invalid or unsupported Perl syntax: `(?=`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)',
        'IST0106 Schema validation error: "method": prefix string match should not be empty',
        'IST0106 Schema validation error: invalid tag value: "web app"',
        'IST0106 Schema validation error: sourceNamespace match Loans_NS is invalid',
      ]),
    );
  });

  it('reports header operations, CORS and exportTo mistakes', () => {
    const found = messages({
      hosts: ['rates'],
      http: [
        {
          route: [to()],
          headers: { request: { set: { ':path': '/x', host: 'a.example.com' }, add: { 'x-n': '100%' } }, response: { set: { Host: 'b' } } },
          rewrite: { authority: 'c.example.com' },
          corsPolicy: { allowOrigins: [{ exact: '' }], allowMethods: ['FETCH'], maxAge: '1.5s' },
        },
      ],
      exportTo: ['.', 'loans', '~'],
    });
    expect(found).toEqual(
      sorted([
        'IST0106 Schema validation error: invalid header ":path": header cannot have ":" prefix',
        'IST0106 Schema validation error: header value configuration: invalid header configuration. Un-escaped %',
        'IST0106 Schema validation error: invalid header "Host": cannot set Host header',
        "IST0106 Schema validation error: '' is not a valid match type for CORS allow origins",
        'IST0106 Schema validation error: "FETCH" is not a supported HTTP method',
        'IST0106 Schema validation error: max_age duration is accurate only to seconds precision',
        'IST0106 Schema validation error: authority header cannot be set multiple times: have "c.example.com", attempting to set "a.example.com"',
        'IST0106 Schema validation error: duplicate entries in exportTo for entry loans',
        'IST0106 Schema validation error: exportTo ~ (none) is not allowed for Istio configuration objects',
      ]),
    );
  });

  it('reports TLS and TCP routes as Istio validates them', () => {
    const found = messages({
      hosts: ['vault.example.com'],
      gateways: ['edge/tls'],
      tls: [
        { match: [{ sniHosts: ['other.example.com', '10.0.0.1'] }], route: [to('vault')] },
        { match: [], route: [] },
      ],
      tcp: [{ match: [{ destinationSubnets: ['10.0.0.0/33'] }] }],
    });
    expect(found).toEqual(
      sorted([
        'IST0106 Schema validation error: SNI host "other.example.com" is not a compatible subset of any of the virtual service hosts: [vault.example.com]',
        'IST0106 Schema validation error: TLS route must have at least one match condition',
        'IST0106 Schema validation error: TLS route is required',
        'IST0106 Schema validation error: 10.0.0.0/33 is not a valid CIDR block',
        'IST0106 Schema validation error: TCP route is required',
        'IST0133 Schema validation warning: using an IP address ("10.0.0.1") goes against SNI spec and most clients do not support this',
      ]),
    );
  });

  it('reports unreachable rules (IST0130) and ineffective matches (IST0131) as Istio finds them', () => {
    const findings = findingsOf(analyzer, [
      vs(
        {
          hosts: ['rates'],
          http: [
            { name: 'api', match: [{ uri: { prefix: '/api' } }], route: [to()] },
            { match: [{ name: 'again', uri: { prefix: '/api' } }], route: [to('rates-v2')] },
            { match: [{ uri: { prefix: '/api/v2' } }, { uri: { exact: '/health' } }], route: [to('rates-v2')] },
            { route: [to()] },
            { route: [to('rates-v2')] },
          ],
          tcp: [
            { match: [{ port: 5432 }], route: [to('db')] },
            { match: [{ port: 5432 }], route: [to('db2')] },
          ],
        },
        'networking.istio.io/v1alpha3',
      ),
    ]);
    expect(findings.map((f) => `${f.code} ${f.path} ${f.message}`)).toEqual(
      sorted([
        'IST0130 spec.http[1] VirtualService rule #1 not used (all matches used by prior rules).',
        'IST0130 spec.http[4] VirtualService rule #4 not used (only the last rule can have no matches).',
        'IST0130 spec.tcp[1] VirtualService rule #1 not used (all matches used by prior rules).',
        'IST0131 spec.http[1].match[0] VirtualService rule #1 match "again" is not used (duplicate/overlapping match in rule "api").',
        'IST0131 spec.http[2].match[0] VirtualService rule #2 match #0 of prefix /api/v2 is not used (duplicate/overlapping match in rule #0 of prefix /api on "api").',
        'IST0131 spec.tcp[1].match[0] VirtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0).',
      ]),
    );
  });

  it('reports a matched rule after a catch-all as unreachable (IST0130), once per rule', () => {
    const findings = findingsOf(analyzer, [
      vs({
        hosts: ['rates'],
        http: [
          { route: [to()] },
          { name: 'beta', match: [{ headers: { 'x-beta': { exact: 'yes' } } }, { uri: { prefix: '/beta' } }], route: [to('rates-v2')] },
        ],
      }),
    ]);
    expect(findings.map((f) => `${f.code} ${f.path} ${f.message}`)).toEqual([
      'IST0130 spec.http[1] VirtualService rule "beta" not used (route without matches defined before).',
    ]);
  });

  it('stops at istio.io/dry-run, which only AuthorizationPolicies accept', () => {
    const findings = findingsOf(analyzer, [vs({ hosts: ['*'] }, 'networking.istio.io/v1', { metadata: { annotations: { 'istio.io/dry-run': 'true' } } })]);
    expect(summarize(findings)).toEqual(['IST0106 VirtualService loans/rates metadata.annotations']);
    expect(findings[0]!.message).toBe('Schema validation error: loans/rates has unsupported annotation istio.io/dry-run, please remove the annotation');
  });
});
