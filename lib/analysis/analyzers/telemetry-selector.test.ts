import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { telemetryDefaultSelector, telemetrySelector } from './telemetry-selector';

const telemetry = (ref: string, spec: Record<string, unknown> = {}, apiVersion = 'telemetry.istio.io/v1') =>
  obj('Telemetry', ref, { tracing: [{ randomSamplingPercentage: 5 }], ...spec }, { apiVersion });
const pod = (ref: string, labels: Record<string, string>) => obj('Pod', ref, {}, { metadata: { labels } });

describe('telemetry.selector', () => {
  it('reports a selector that matches no pod, and Telemetries selecting one pod', () => {
    const findings = findingsOf(telemetrySelector, [
      pod('ledger/journal-1', { app: 'journal', tier: 'core' }),
      telemetry('ledger/journal', { selector: { matchLabels: { app: 'journal' } } }, 'telemetry.istio.io/v1alpha1'),
      telemetry('ledger/core', { selector: { matchLabels: { tier: 'core' } } }),
      telemetry('ledger/audit', { selector: { matchLabels: { tier: 'core', app: 'audit' } } }),
      telemetry('ledger/everything', { selector: {} }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0101 Telemetry ledger/audit spec.selector.matchLabels',
      'IST0159 Telemetry ledger/core metadata.name',
      'IST0159 Telemetry ledger/journal metadata.name',
    ]);
    expect(findings[0]!.message).toBe('Referenced selector not found: "app=audit,tier=core"');
    expect(findings[1]!.message).toBe(
      'The Telemetries [core journal] in namespace "ledger" select the same workload pod "journal-1", which can lead to undefined behavior.',
    );
  });
});

describe('telemetry.defaultselector', () => {
  it('reports several selector-less Telemetries in one namespace; a targetRef or a selector is not selector-less', () => {
    const findings = findingsOf(telemetryDefaultSelector, [
      telemetry('ledger/defaults'),
      telemetry('ledger/more-defaults', {}, 'telemetry.istio.io/v1alpha1'),
      telemetry('ledger/edge', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'edge' }] }),
      telemetry('ledger/journal', { selector: { matchLabels: { app: 'journal' } } }),
      telemetry('warehouse/defaults'),
    ]);
    expect(summarize(findings)).toEqual(['IST0160 Telemetry ledger/defaults', 'IST0160 Telemetry ledger/more-defaults']);
    expect(findings[0]!.message).toBe(
      'The Telemetries [defaults more-defaults] in namespace "ledger" have no workload selector, which can lead to undefined behavior.',
    );
  });
});
