import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { K } from '../kinds';
import { findingsOf, obj, summarize } from '../testing';
import { authzAuthorizationPolicies } from './authz-authorizationpolicies';

const namespace = (name: string, labels?: Record<string, string>) => obj('Namespace', name, undefined, { metadata: { labels } });
const sidecarPod = (ref: string, labels: Record<string, string>) =>
  obj(
    'Pod',
    ref,
    {
      containers: [
        { name: 'app', image: 'ledger:1' },
        { name: 'istio-proxy', image: 'proxyv2:1.28' },
      ],
    },
    { metadata: { labels } },
  );
const plainPod = (ref: string, labels: Record<string, string>) =>
  obj('Pod', ref, { containers: [{ name: 'app', image: 'ledger:1' }] }, { metadata: { labels } });
const mesh = (yaml: string) => obj('ConfigMap', 'istio-system/istio', undefined, { data: { mesh: yaml } });
const policy = (ref: string, spec: unknown, apiVersion = 'security.istio.io/v1') => obj('AuthorizationPolicy', ref, spec, { apiVersion });

describe('authz.authorizationpolicies', () => {
  it('reports a selector no workload of the namespace matches (a pod without a sidecar is no workload)', () => {
    const findings = findingsOf(authzAuthorizationPolicies, [
      namespace('ledger'),
      plainPod('ledger/journal-7c9', { app: 'journal' }),
      sidecarPod('ledger/posting-5d2', { app: 'posting', tier: 'core' }),
      policy('ledger/journal-only', { selector: { matchLabels: { app: 'journal' } } }),
      policy('ledger/posting-core', { selector: { matchLabels: { tier: 'core', app: 'posting' } } }, 'security.istio.io/v1beta1'),
    ]);
    expect(summarize(findings)).toEqual(['IST0127 AuthorizationPolicy ledger/journal-only spec.selector']);
    expect(findings[0]!.message).toBe('No matching workloads for this resource with the following labels: app=journal');
  });

  it('counts pods injected through their namespace label or running in ambient mode', () => {
    const findings = findingsOf(authzAuthorizationPolicies, [
      namespace('warehouse', { 'istio-injection': 'enabled' }),
      namespace('depot'),
      plainPod('warehouse/stock-1', { app: 'stock' }),
      obj('Pod', 'depot/picker-1', {}, { metadata: { labels: { app: 'picker' }, annotations: { 'ambient.istio.io/redirection': 'enabled' } } }),
      policy('warehouse/stock', { selector: { matchLabels: { app: 'stock' } } }),
      policy('depot/picker', { selector: { matchLabels: { app: 'picker' } } }),
    ]);
    expect(findings).toEqual([]);
  });

  it('reports a namespace-wide policy in a namespace without workloads, with empty labels', () => {
    const findings = findingsOf(authzAuthorizationPolicies, [namespace('archive'), policy('archive/deny-all', {})]);
    expect(summarize(findings)).toEqual(['IST0127 AuthorizationPolicy archive/deny-all']);
    expect(findings[0]!.message).toBe('No matching workloads for this resource with the following labels: ');
  });

  it('looks for a root-namespace selector in every namespace, the root namespace taken from the mesh config', () => {
    const objects = [
      mesh('rootNamespace: mesh-root\n'),
      namespace('mesh-root'),
      namespace('ledger'),
      sidecarPod('ledger/posting-5d2', { app: 'posting' }),
      policy('mesh-root/posting', { selector: { matchLabels: { app: 'posting' } } }),
      policy('mesh-root/audit', { selector: { matchLabels: { app: 'audit' } } }),
      policy('mesh-root/allow-nothing', {}),
    ];
    expect(summarize(findingsOf(authzAuthorizationPolicies, objects))).toEqual(['IST0127 AuthorizationPolicy mesh-root/audit spec.selector']);
  });

  it('reports a rule naming a namespace that does not exist, and accepts wildcards that match one', () => {
    const findings = findingsOf(authzAuthorizationPolicies, [
      namespace('ledger'),
      namespace('ops-tools'),
      sidecarPod('ledger/posting-5d2', { app: 'posting' }),
      policy('ledger/from-ops', {
        rules: [{ from: [{ source: { namespaces: ['ops-*', '*-tools', 'opps'], notNamespaces: ['legder'] } }] }],
      }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0101 AuthorizationPolicy ledger/from-ops spec.rules[0].from[0].source.namespaces[2]',
      'IST0101 AuthorizationPolicy ledger/from-ops spec.rules[0].from[0].source.notNamespaces[0]',
    ]);
    expect(findings[0]!.message).toBe('Referenced namespace not found: "opps"');
  });

  it('calls nothing missing when pods or namespaces were not loaded', () => {
    const analysis = new Analysis([authzAuthorizationPolicies], [policy('ledger/from-ops', { rules: [{ from: [{ source: { namespaces: ['x'] } }] }] })], {
      kinds: [K.AuthorizationPolicy],
    });
    expect(analysis.findings()).toEqual([]);
  });

  it('re-checks a policy when a matching workload appears', () => {
    const analysis = new Analysis(
      [authzAuthorizationPolicies],
      [namespace('ledger'), policy('ledger/posting', { selector: { matchLabels: { app: 'posting' } } })],
    );
    expect(analysis.findings()).toHaveLength(1);
    const diff = analysis.apply([{ type: 'upsert', object: sidecarPod('ledger/posting-5d2', { app: 'posting' }) }]);
    expect(diff.removed).toHaveLength(1);
    expect(analysis.findings()).toEqual([]);
  });
});
