import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { findObject, type ManifestObject } from '../../k8s/istio/manifests.ts';
import { authenticate, decide, describeRule, evaluate, inIpBlock, policiesFor, ruleMismatch, tokenRequirement, wildcard, type Caller } from './authz';
import type { AuthorizationPolicy, RequestAuthentication } from './security-types';

// The AI Nutritionist platform's own policies, as shipped in k8s/istio.
const platform = [
  'nutrition-service-authz',
  'ai-coach-service-authz',
  'payment-service-authz',
  'payment-service-deny-plaintext',
  'messaging-service-authz',
].map((name) => findObject('AuthorizationPolicy', name) as unknown as AuthorizationPolicy);
const forApp = (app: string) => policiesFor(platform, 'ai-nutritionist', { app });
const user = (claims: Record<string, string>, extra: Partial<Caller> = {}): Caller => ({
  principal: 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
  namespace: 'istio-system',
  requestPrincipal: 'https://auth.ai-nutritionist.com/user-1',
  claims,
  method: 'GET',
  path: '/api/v1/ai-coach/sessions',
  ...extra,
});

describe("the platform's authorization policies", () => {
  it('deny a free user the AI coach and allow a premium one', () => {
    const free = evaluate(forApp('ai-coach-service'), user({ tier: 'free' }));
    expect(free.allowed).toBe(false);
    expect(free.reason).toContain('none of their rules matches');
    const premium = evaluate(forApp('ai-coach-service'), user({ tier: 'premium' }));
    expect(premium).toMatchObject({ allowed: true, policy: 'ai-nutritionist/ai-coach-service-authz', rule: 0 });
  });

  it('let payment through only with x-user-verified: true', () => {
    const pay = (headers: Record<string, string>) =>
      evaluate(forApp('payment-service'), user({}, { method: 'POST', path: '/api/v1/payments/charge', headers }));
    expect(pay({}).allowed).toBe(false);
    expect(pay({ 'x-user-verified': 'false' }).allowed).toBe(false);
    expect(pay({ 'x-user-verified': 'true' })).toMatchObject({ allowed: true, policy: 'ai-nutritionist/payment-service-authz' });
  });

  it('deny payment to a plaintext caller without a token, even before the ALLOW rules', () => {
    const plaintext = evaluate(forApp('payment-service'), { method: 'POST', path: '/api/v1/payments', headers: { 'x-user-verified': 'true' } });
    expect(plaintext).toMatchObject({ allowed: false, policy: 'ai-nutritionist/payment-service-deny-plaintext' });
  });

  it('allow nutrition to internal services and to authenticated users, and webhooks on messaging', () => {
    const internal = evaluate(forApp('nutrition-service'), {
      principal: 'cluster.local/ns/ai-nutritionist/sa/ai-coach-service',
      namespace: 'ai-nutritionist',
      method: 'GET',
      path: '/api/v1/nutrition/profile',
    });
    expect(internal).toMatchObject({ allowed: true, rule: 1 });
    const webhook = evaluate(forApp('messaging-service'), { method: 'POST', path: '/api/v1/messaging/webhooks/twilio' });
    expect(webhook).toMatchObject({ allowed: true, rule: 1 });
    expect(evaluate(forApp('messaging-service'), { method: 'GET', path: '/api/v1/messaging/inbox' }).allowed).toBe(false);
  });

  it('allow everything on a workload no ALLOW policy covers', () => {
    expect(evaluate(forApp('health-tracking-service'), { method: 'GET', path: '/x' }).reason).toContain('no ALLOW policy');
  });

  it('describes rules in words', () => {
    expect(describeRule(forApp('ai-coach-service')[0]!.spec.rules![0]!)).toEqual({
      who: 'any authenticated user (valid JWT)',
      what: 'any request',
      when: 'request.auth.claims[tier] in [premium]',
    });
    expect([wildcard('/api/*', '/api/x'), wildcard('*.local', 'a.local'), wildcard('a', 'b')]).toEqual([true, true, false]);
  });
});

describe('who is asking', () => {
  const seedJwt = findObject('RequestAuthentication', 'jwt-auth') as unknown as RequestAuthentication;

  it('a plaintext caller has no principal and no namespace, whatever namespace it claims', () => {
    const rule = { from: [{ source: { namespaces: ['ai-nutritionist'] } }] };
    expect(ruleMismatch(rule, { namespace: 'ai-nutritionist', method: 'GET', path: '/' })).toBe(
      'namespaces [ai-nutritionist] does not include a plaintext caller (no mTLS principal)',
    );
    expect(ruleMismatch(rule, { principal: 'cluster.local/ns/ai-nutritionist/sa/ai-coach-service', method: 'GET', path: '/' })).toBeUndefined();
    const internal = evaluate(forApp('nutrition-service'), { namespace: 'ai-nutritionist', method: 'GET', path: '/api/v1/nutrition/profile' });
    expect(internal).toMatchObject({ allowed: false, decidedBy: 'no ALLOW match' });
  });

  it('paths match by prefix and suffix, without the query string; hosts case-insensitively; ports and IPs', () => {
    const rule = { to: [{ operation: { paths: ['/api/*', '*.png'], hosts: ['Shop.example.com'], ports: ['8080'] } }] };
    const request = (path: string, host = 'shop.EXAMPLE.com', port = 8080): Caller => ({ method: 'GET', path, host, port });
    expect(ruleMismatch(rule, request('/api/x?debug=1'))).toBeUndefined();
    expect(ruleMismatch(rule, request('/img/a.png'))).toBeUndefined();
    expect(ruleMismatch(rule, request('/admin'))).toContain('paths [/api/*, *.png] does not include "/admin"');
    expect(ruleMismatch(rule, request('/api/x', 'other.example.com'))).toContain('hosts');
    expect(ruleMismatch(rule, request('/api/x', undefined, 9090))).toContain('ports [8080] does not include "9090"');
    expect([
      inIpBlock('10.2.0.0/16', '10.2.3.4'),
      inIpBlock('10.2.0.0/16', '10.3.0.1'),
      inIpBlock('10.1.2.3', '10.1.2.3'),
      inIpBlock('0.0.0.0/0', '1.2.3.4'),
    ]).toEqual([true, false, true, true]);
    expect(ruleMismatch({ from: [{ source: { notIpBlocks: ['192.168.0.0/16'] } }] }, { ip: '192.168.1.1', method: 'GET', path: '/' })).toContain('notIpBlocks');
  });

  it('reads claims (nested and list-valued), headers and source.namespace in when conditions; claims need a validated token', () => {
    const rule = {
      when: [
        { key: 'request.auth.claims[groups]', values: ['admins'] },
        { key: 'request.auth.claims[org][team]', values: ['core'] },
        { key: 'source.namespace', values: ['shop'] },
        { key: 'request.headers[X-Env]', notValues: ['prod'] },
      ],
    };
    const caller: Caller = {
      principal: 'cluster.local/ns/shop/sa/cart',
      requestPrincipal: 'https://issuer/alice',
      claims: { groups: ['dev', 'admins'], 'org.team': 'core' },
      headers: { 'x-env': 'staging' },
      method: 'GET',
      path: '/',
    };
    expect(ruleMismatch(rule, caller)).toBeUndefined();
    expect(ruleMismatch(rule, { ...caller, claims: { groups: ['dev'], 'org.team': 'core' } })).toBe(
      'when request.auth.claims[groups] in [admins]: the request has [dev]',
    );
    expect(ruleMismatch(rule, { ...caller, requestPrincipal: undefined })).toBe('when request.auth.claims[groups] in [admins]: the request has nothing');
    expect(ruleMismatch(rule, { ...caller, headers: { 'x-env': 'prod' } })).toContain('not in [prod]');
  });

  it('an empty rule matches everything; an ALLOW policy without rules denies all, a DENY without rules denies nothing', () => {
    const policy = (action: 'ALLOW' | 'DENY', rules?: AuthorizationPolicy['spec']['rules']): AuthorizationPolicy => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { namespace: 'shop', name: `${action}-${rules?.length ?? 'none'}`, resourceVersion: '1' },
      spec: { action, rules },
    });
    const request: Caller = { method: 'GET', path: '/' };
    expect(evaluate([policy('ALLOW', [{}])], request)).toMatchObject({ allowed: true, rule: 0 });
    expect(evaluate([policy('ALLOW')], request)).toMatchObject({
      allowed: false,
      decidedBy: 'no ALLOW match',
      trace: [{ detail: 'no rules: it allows nothing' }],
    });
    expect(evaluate([policy('DENY')], request)).toMatchObject({ allowed: true, decidedBy: 'no ALLOW policy', trace: [{ action: 'DENY', matched: false }] });
    const custom = { ...policy('ALLOW', [{}]), spec: { action: 'CUSTOM' as const, provider: { name: 'ext-authz' }, rules: [{}] } };
    expect(evaluate([custom], request).notes[0]).toContain('CUSTOM policy shop/ALLOW-1 (provider ext-authz) is not evaluated');
  });

  it('validates the token against the RequestAuthentication first: unknown issuer or audience is a 401, no RequestAuthentication means no principal', () => {
    const call = (requestPrincipal: string, audiences: string[]): Caller => ({ requestPrincipal, audiences, method: 'GET', path: '/' });
    expect(authenticate([seedJwt], call('https://auth.ai-nutritionist.com/user-1', ['api.ai-nutritionist.com'])).rejected).toBeUndefined();
    expect(authenticate([seedJwt], call('https://evil.example/user-1', ['api.ai-nutritionist.com'])).rejected).toContain(
      'issuer "https://evil.example" is not configured in ai-nutritionist/jwt-auth',
    );
    expect(authenticate([seedJwt], call('https://accounts.google.com/123', ['api.ai-nutritionist.com'])).rejected).toContain(
      'not among those ai-nutritionist/jwt-auth accepts',
    );
    const ignored = authenticate([], call('https://auth.ai-nutritionist.com/user-1', []));
    expect(ignored.caller.requestPrincipal).toBeUndefined();
    expect(ignored.note).toContain('does not validate tokens');
    expect(decide(forApp('ai-coach-service'), [seedJwt], { ...user({ tier: 'premium' }), requestPrincipal: 'https://evil.example/u' })).toMatchObject({
      allowed: false,
      decidedBy: 'authentication',
    });
  });

  it('shows the order it walked: payment DENY checked and not matching, then the ALLOW that matched', () => {
    const d = evaluate(forApp('payment-service'), user({}, { method: 'POST', path: '/api/v1/payments/charge', headers: { 'x-user-verified': 'true' } }));
    expect(d.trace.map((s) => [s.action, s.policy, s.matched])).toEqual([
      ['DENY', 'ai-nutritionist/payment-service-deny-plaintext', false],
      ['ALLOW', 'ai-nutritionist/payment-service-authz', true],
    ]);
    expect(d.trace[0]!.detail).toContain('notPrincipals [*] excludes "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"');
  });

  it('says which seed workloads need a token, counting the DENY on plaintext callers', () => {
    expect(tokenRequirement(forApp('ai-coach-service'))).toMatchObject({ required: 'always' });
    const payment = tokenRequirement(forApp('payment-service'));
    expect(payment.required).toBe('always');
    expect(payment.because[0]).toBe('DENY ai-nutritionist/payment-service-deny-plaintext rule 1 denies no mTLS identity (plaintext) and no JWT');
    const messaging = tokenRequirement(forApp('messaging-service'));
    expect(messaging).toMatchObject({ required: 'sometimes' });
    expect(messaging.because).toContain('1 other ALLOW rule(s) admit requests without a token');
    expect(tokenRequirement(forApp('health-tracking-service'))).toEqual({ required: 'never', because: [] });
  });
});

describe('Bookinfo-shaped policies (e2e/fixtures/bookinfo.yaml)', () => {
  const objects = parseAllDocuments(readFileSync(new URL('../../e2e/fixtures/bookinfo.yaml', import.meta.url), 'utf8'))
    .map((d) => d.toJS() as ManifestObject | null)
    .filter((o): o is ManifestObject => o !== null);
  const policies = objects.filter((o) => o.kind === 'AuthorizationPolicy') as unknown as AuthorizationPolicy[];
  const jwt = objects.filter((o) => o.kind === 'RequestAuthentication') as unknown as RequestAuthentication[];
  const to = (app: string) => policiesFor(policies, 'bookinfo', { app });
  const productpage: Caller = { principal: 'cluster.local/ns/bookinfo/sa/bookinfo-productpage', method: 'GET', path: '/details/0' };

  it("lets productpage's service account GET details, and nothing else", () => {
    expect(evaluate(to('details'), productpage)).toMatchObject({
      allowed: true,
      decidedBy: 'ALLOW',
      policy: 'bookinfo/details-viewer',
      rule: 0,
      reason: 'allowed by bookinfo/details-viewer, rule 1',
    });
    const post = evaluate(to('details'), { ...productpage, method: 'POST' });
    expect(post).toMatchObject({ allowed: false, decidedBy: 'no ALLOW match' });
    expect(post.trace).toEqual([
      { policy: 'bookinfo/details-viewer', action: 'ALLOW', matched: false, detail: 'rule 1: methods [GET] does not include "POST"' },
    ]);
    const reviews = evaluate(to('details'), { ...productpage, principal: 'cluster.local/ns/bookinfo/sa/bookinfo-reviews' });
    expect(reviews.trace[0]!.detail).toContain(
      'principals [cluster.local/ns/bookinfo/sa/bookinfo-productpage] does not include "cluster.local/ns/bookinfo/sa/bookinfo-reviews"',
    );
    expect(evaluate(to('details'), { ...productpage, principal: undefined }).trace[0]!.detail).toContain('a plaintext caller (no mTLS principal)');
  });

  it('denies ratings without a JWT by the DENY policy, and lets a validated token through', () => {
    const noJwt = decide(to('ratings'), jwt, { ...productpage, path: '/ratings/0' });
    expect(noJwt).toMatchObject({
      allowed: false,
      decidedBy: 'DENY',
      policy: 'bookinfo/ratings-deny-without-jwt',
      rule: 0,
      reason: 'denied by DENY policy bookinfo/ratings-deny-without-jwt, rule 1',
    });
    const withJwt = decide(to('ratings'), jwt, { ...productpage, path: '/ratings/0', requestPrincipal: 'https://issuer.bookinfo.example/reader' });
    expect(withJwt).toMatchObject({ allowed: true, decidedBy: 'no ALLOW policy' });
    expect(withJwt.trace).toEqual([
      {
        policy: 'bookinfo/ratings-deny-without-jwt',
        action: 'DENY',
        matched: false,
        detail: 'rule 1: notRequestPrincipals [*] excludes "https://issuer.bookinfo.example/reader"',
      },
    ]);
    expect(decide(to('ratings'), jwt, { ...productpage, requestPrincipal: 'https://other.example/reader' })).toMatchObject({
      allowed: false,
      decidedBy: 'authentication',
    });
  });

  it('lists ratings as needing a token (the DENY on notRequestPrincipals), details and reviews as not', () => {
    expect(tokenRequirement(to('ratings'))).toEqual({ required: 'always', because: ['DENY bookinfo/ratings-deny-without-jwt rule 1 denies no JWT'] });
    expect(tokenRequirement(to('details')).required).toBe('never');
    expect(tokenRequirement(to('reviews')).required).toBe('never');
  });
});
