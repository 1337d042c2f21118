import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { K } from '../kinds';
import { findingsOf, obj, summarize } from '../testing';
import { sidecarDefaultSelector, sidecarSelector } from './sidecar-selector';

const sidecar = (ref: string, labels?: Record<string, string>, apiVersion = 'networking.istio.io/v1') =>
  obj('Sidecar', ref, { ...(labels ? { workloadSelector: { labels } } : {}), egress: [{ hosts: ['./*'] }] }, { apiVersion });
const pod = (ref: string, labels: Record<string, string>, annotations?: Record<string, string>) => obj('Pod', ref, {}, { metadata: { labels, annotations } });
const namespace = (name: string, labels?: Record<string, string>) => obj('Namespace', name, undefined, { metadata: { labels } });

describe('sidecar.selector', () => {
  it('reports a selector no pod of its namespace matches, and Sidecars selecting one pod', () => {
    const findings = findingsOf(sidecarSelector, [
      pod('ledger/journal-1', { app: 'journal', track: 'stable' }),
      pod('warehouse/stock-1', { app: 'stock' }),
      sidecar('ledger/journal', { app: 'journal' }),
      sidecar('ledger/stable', { track: 'stable' }, 'networking.istio.io/v1alpha3'),
      sidecar('ledger/stock', { app: 'stock' }, 'networking.istio.io/v1beta1'),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0110 Sidecar ledger/journal metadata.name',
      'IST0110 Sidecar ledger/stable metadata.name',
      'IST0101 Sidecar ledger/stock spec.workloadSelector.labels',
    ]);
    expect(findings[2]!.message).toBe('Referenced selector not found: "app=stock"');
    expect(findings[0]!.message).toBe(
      'The Sidecars [journal stable] in namespace "ledger" select the same workload pod "journal-1", which can lead to undefined behavior.',
    );
  });

  it('reports a Sidecar selecting an ambient pod as ineffective, not as a conflict', () => {
    const ambient = { 'ambient.istio.io/redirection': 'enabled' };
    const findings = findingsOf(sidecarSelector, [
      pod('ledger/journal-1', { app: 'journal' }, ambient),
      pod('ledger/journal-2', { app: 'journal' }, ambient),
      sidecar('ledger/journal', { app: 'journal' }),
      sidecar('ledger/all-journal', { app: 'journal' }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0167 Sidecar ledger/all-journal spec.workloadSelector.labels',
      'IST0167 Sidecar ledger/journal spec.workloadSelector.labels',
    ]);
    expect(findings[0]!.message).toBe('The policy has no impact: selected workload is in ambient mode, the policy has no impact.');
  });

  it('calls no selector missing when pods were not loaded', () => {
    expect(new Analysis([sidecarSelector], [sidecar('ledger/x', { app: 'x' })], { kinds: [K.Sidecar] }).findings()).toEqual([]);
  });
});

describe('sidecar.defaultselector', () => {
  it('reports several selector-less Sidecars of one namespace (empty labels count as none)', () => {
    const findings = findingsOf(sidecarDefaultSelector, [
      sidecar('ledger/default'),
      sidecar('ledger/egress-only', {}),
      sidecar('ledger/journal', { app: 'journal' }),
      sidecar('warehouse/default'),
    ]);
    expect(summarize(findings)).toEqual(['IST0111 Sidecar ledger/default', 'IST0111 Sidecar ledger/egress-only']);
    expect(findings[0]!.message).toBe(
      'The Sidecars [default egress-only] in namespace "ledger" have no workload selector, which can lead to undefined behavior.',
    );
  });

  it('reports a selector-less Sidecar in an ambient namespace as ineffective', () => {
    const findings = findingsOf(sidecarDefaultSelector, [
      namespace('depot', { 'istio.io/dataplane-mode': 'ambient' }),
      namespace('mixed', { 'istio.io/dataplane-mode': 'ambient', 'istio-injection': 'enabled' }),
      sidecar('depot/default'),
      sidecar('mixed/default'),
    ]);
    expect(summarize(findings)).toEqual(['IST0167 Sidecar depot/default']);
    expect(findings[0]!.message).toBe('The policy has no impact: namespace is in ambient mode, the policy has no impact.');
  });
});
