import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { findingsOf, obj, summarize } from '../testing';
import { coveringWildcards, virtualServiceConflictingMeshGatewayHosts as analyzer } from './virtualservice-conflictingmeshgatewayhosts';

const vs = (ref: string, spec: Record<string, unknown>, apiVersion = 'networking.istio.io/v1') =>
  obj('VirtualService', ref, { http: [{ route: [{ destination: { host: 'ledger' } }] }], ...spec }, { apiVersion });

describe('virtualservice.conflictingmeshgatewayhosts', () => {
  it('reports both VirtualServices of the mesh that claim one host, written short and as an FQDN', () => {
    const findings = findingsOf(analyzer, [
      vs('bank/ledger-a', { hosts: ['ledger'] }),
      vs('bank/ledger-b', { hosts: ['ledger.bank.svc.cluster.local'], gateways: ['mesh', 'edge'] }, 'networking.istio.io/v1beta1'),
    ]);
    expect(summarize(findings)).toEqual(['IST0109 VirtualService bank/ledger-a metadata.name', 'IST0109 VirtualService bank/ledger-b metadata.name']);
    expect(findings[0]!.message).toBe(
      'The VirtualServices bank/ledger-a,bank/ledger-b associated with mesh gateway define the same host */ledger.bank.svc.cluster.local which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.',
    );
  });

  it('leaves gateway-only VirtualServices and ones exported to different namespaces alone', () => {
    const findings = findingsOf(analyzer, [
      vs('bank/ledger-a', { hosts: ['ledger'] }),
      vs('bank/ledger-edge', { hosts: ['ledger'], gateways: ['edge'] }, 'networking.istio.io/v1alpha3'),
      vs('bank/ledger-x', { hosts: ['vault.bank.svc.cluster.local'], exportTo: ['.'] }),
      vs('audit/ledger-y', { hosts: ['vault.bank.svc.cluster.local'], exportTo: ['.'] }),
    ]);
    expect(findings).toEqual([]);
  });

  it('a namespace-scoped host conflicts with a wildcard exported everywhere, and two scopes of one namespace conflict', () => {
    const findings = findingsOf(analyzer, [
      vs('payments/card', { hosts: ['card.pay.example.org'], exportTo: ['.'] }),
      vs('edge/all-pay', { hosts: ['*.pay.example.org'] }, 'networking.istio.io/v1beta1'),
      vs('payments/card-2', { hosts: ['fees.pay.internal'], exportTo: ['payments'] }),
      vs('risk/card-3', { hosts: ['fees.pay.internal'], exportTo: ['payments'] }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0109 VirtualService edge/all-pay metadata.name',
      'IST0109 VirtualService payments/card metadata.name',
      'IST0109 VirtualService payments/card-2 metadata.name',
      'IST0109 VirtualService risk/card-3 metadata.name',
    ]);
    expect(findings.find((f) => f.origin.name === 'all-pay')!.message).toContain('define the same host payments/*.pay.example.org');
  });

  it('clears the finding of the other side when one VirtualService moves to a gateway', () => {
    const analysis = new Analysis([analyzer], [vs('bank/a', { hosts: ['ledger'] }), vs('bank/b', { hosts: ['ledger'] })]);
    expect(analysis.findings()).toHaveLength(2);
    const diff = analysis.apply([{ type: 'upsert', object: vs('bank/b', { hosts: ['ledger'], gateways: ['edge'] }) }]);
    expect(diff.removed).toHaveLength(2);
    expect(analysis.findings()).toEqual([]);
  });

  it('lists the wildcards covering a host', () => {
    expect(coveringWildcards('a.b.c')).toEqual(['a.b.c', '*.b.c', '*.c', '*']);
    expect(coveringWildcards('*.b.c')).toEqual(['*.b.c', '*.c', '*']);
  });
});
