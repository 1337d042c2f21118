import { describe, expect, it } from 'vitest';
import { findObject } from '../../k8s/istio/manifests.ts';
import { describeRule, evaluate, policiesFor, wildcard, type Caller } from './authz';
import type { AuthorizationPolicy } from './security-types';

// The AI Nutritionist platform's own policies, as shipped in k8s/istio.
const platform = ['nutrition-service-authz', 'ai-coach-service-authz', 'payment-service-authz', 'payment-service-deny-plaintext', 'messaging-service-authz'].map((name) => findObject('AuthorizationPolicy', name) as unknown as AuthorizationPolicy);
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
    const pay = (headers: Record<string, string>) => evaluate(forApp('payment-service'), user({}, { method: 'POST', path: '/api/v1/payments/charge', headers }));
    expect(pay({}).allowed).toBe(false);
    expect(pay({ 'x-user-verified': 'false' }).allowed).toBe(false);
    expect(pay({ 'x-user-verified': 'true' })).toMatchObject({ allowed: true, policy: 'ai-nutritionist/payment-service-authz' });
  });

  it('deny payment to a plaintext caller without a token, even before the ALLOW rules', () => {
    const plaintext = evaluate(forApp('payment-service'), { method: 'POST', path: '/api/v1/payments', headers: { 'x-user-verified': 'true' } });
    expect(plaintext).toMatchObject({ allowed: false, policy: 'ai-nutritionist/payment-service-deny-plaintext' });
  });

  it('allow nutrition to internal services and to authenticated users, and webhooks on messaging', () => {
    const internal = evaluate(forApp('nutrition-service'), { principal: 'cluster.local/ns/ai-nutritionist/sa/ai-coach-service', namespace: 'ai-nutritionist', method: 'GET', path: '/api/v1/nutrition/profile' });
    expect(internal).toMatchObject({ allowed: true, rule: 1 });
    const webhook = evaluate(forApp('messaging-service'), { method: 'POST', path: '/api/v1/messaging/webhooks/twilio' });
    expect(webhook).toMatchObject({ allowed: true, rule: 1 });
    expect(evaluate(forApp('messaging-service'), { method: 'GET', path: '/api/v1/messaging/inbox' }).allowed).toBe(false);
  });

  it('allow everything on a workload no ALLOW policy covers', () => {
    expect(evaluate(forApp('health-tracking-service'), { method: 'GET', path: '/x' }).reason).toContain('no ALLOW policy');
  });

  it('describes rules in words', () => {
    expect(describeRule(forApp('ai-coach-service')[0]!.spec.rules![0]!)).toEqual({ who: 'any authenticated user (valid JWT)', what: 'any request', when: 'request.auth.claims[tier] in [premium]' });
    expect([wildcard('/api/*', '/api/x'), wildcard('*.local', 'a.local'), wildcard('a', 'b')]).toEqual([true, true, false]);
  });
});
