import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { serviceEntryConflictingProtocols } from './serviceentry-conflictingprotocols';

const entry = (ref: string, protocol: string | undefined, exportTo?: string[], apiVersion = 'networking.istio.io/v1') =>
  obj(
    'ServiceEntry',
    ref,
    { hosts: ['fx.example.org'], ports: [{ number: 443, name: 'p', ...(protocol ? { protocol } : {}) }], resolution: 'DNS', ...(exportTo ? { exportTo } : {}) },
    { apiVersion },
  );

describe('serviceentry.conflictingserviceentryprotocol', () => {
  it('reports every entry visible together that gives one host and port another protocol', () => {
    const findings = findingsOf(serviceEntryConflictingProtocols, [
      entry('ledger/fx-http', 'HTTP'),
      entry('warehouse/fx-tls', 'tls', undefined, 'networking.istio.io/v1alpha3'),
      entry('depot/fx-same', 'http'),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0177 ServiceEntry depot/fx-same metadata.name',
      'IST0177 ServiceEntry ledger/fx-http metadata.name',
      'IST0177 ServiceEntry warehouse/fx-tls metadata.name',
    ]);
    expect(findings[1]!.message).toBe(
      'Multiple ServiceEntries (depot/fx-same, ledger/fx-http, warehouse/fx-tls) define the same host "fx.example.org" and port 443 with conflicting protocols (HTTP, TLS).',
    );
  });

  it('leaves apart entries exported to different namespaces, and meets a namespace-local one with an exported one', () => {
    expect(findingsOf(serviceEntryConflictingProtocols, [entry('ledger/fx-http', 'HTTP', ['.']), entry('warehouse/fx-tls', 'TLS', ['.'])])).toEqual([]);
    const findings = findingsOf(serviceEntryConflictingProtocols, [entry('ledger/fx-local', undefined, ['.']), entry('warehouse/fx-all', 'TLS', ['*'])]);
    expect(summarize(findings)).toEqual(['IST0177 ServiceEntry ledger/fx-local metadata.name', 'IST0177 ServiceEntry warehouse/fx-all metadata.name']);
    expect(findings[0]!.message).toContain('with conflicting protocols (, TLS).');
  });
});
