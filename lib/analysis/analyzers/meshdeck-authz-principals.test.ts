import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { K } from '../kinds';
import { findingsOf, obj, summarize } from '../testing';
import { meshdeckAuthzPrincipals } from './meshdeck-authz-principals';

const policy = (principals: string[], notPrincipals: string[] = []) =>
  obj(
    'AuthorizationPolicy',
    'ledger/writers',
    { action: 'ALLOW', rules: [{ from: [{ source: { principals } }, { source: { notPrincipals } }] }] },
    { apiVersion: 'security.istio.io/v1beta1' },
  );
const mesh = obj('ConfigMap', 'istio-system/istio', undefined, { data: { mesh: 'trustDomain: bank.example\ntrustDomainAliases: [legacy.local]\n' } });
const cluster = [
  mesh,
  obj('Namespace', 'ledger'),
  obj('Namespace', 'payments'),
  obj('ServiceAccount', 'payments/clearing', undefined, { apiVersion: 'v1' }),
  obj('ServiceAccount', 'ledger/auditor'),
];

describe('meshdeck.authzprincipals (MDK0007)', () => {
  it('reports a principal whose namespace or ServiceAccount does not exist, in our trust domain and its aliases', () => {
    const findings = findingsOf(meshdeckAuthzPrincipals, [
      policy(
        ['bank.example/ns/payments/sa/clearing', 'bank.example/ns/payment/sa/clearing', 'legacy.local/ns/ledger/sa/writer'],
        ['bank.example/ns/ledger/sa/auditor', 'bank.example/ns/ledger/sa/intern'],
      ),
      ...cluster,
    ]);
    expect(summarize(findings)).toEqual([
      'MDK0007 AuthorizationPolicy ledger/writers spec.rules[0].from[0].source.principals[1]',
      'MDK0007 AuthorizationPolicy ledger/writers spec.rules[0].from[0].source.principals[2]',
      'MDK0007 AuthorizationPolicy ledger/writers spec.rules[0].from[1].source.notPrincipals[1]',
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'Principal "bank.example/ns/payment/sa/clearing" names namespace "payment", which does not exist: no caller matches it',
      'Principal "legacy.local/ns/ledger/sa/writer" names ServiceAccount ledger/writer, which does not exist: no caller matches it',
      'Principal "bank.example/ns/ledger/sa/intern" names ServiceAccount ledger/intern, which does not exist: excluding it excludes nobody',
    ]);
  });

  it('leaves wildcards, other trust domains, other forms, and kinds that were not loaded alone', () => {
    const odd = policy(['*', 'bank.example/ns/ghost/*', '*/sa/nobody', 'partner.example/ns/ghost/sa/x', 'spiffe-like-string'], ['cluster.local/ns/ghost/sa/x']);
    expect(findingsOf(meshdeckAuthzPrincipals, [odd, ...cluster])).toEqual([]);
    const unknown = policy(['bank.example/ns/ledger/sa/writer']);
    const withoutAccounts = new Analysis([meshdeckAuthzPrincipals], [unknown, ...cluster], { kinds: [K.Namespace, K.AuthorizationPolicy, K.ConfigMap] });
    expect(withoutAccounts.findings()).toEqual([]);
  });
});
