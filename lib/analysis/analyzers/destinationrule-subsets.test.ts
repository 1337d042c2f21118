import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { K } from '../kinds';
import { findingsOf, obj, summarize } from '../testing';
import { destinationRuleSubsets } from './destinationrule-subsets';

const service = (ref: string, annotations?: Record<string, string>) =>
  obj('Service', ref, { selector: { app: ref.split('/')[1] }, ports: [{ name: 'http', port: 80 }] }, { metadata: { annotations } });
const pod = (ref: string, labels: Record<string, string>) => obj('Pod', ref, {}, { metadata: { labels } });
const rule = (
  ref: string,
  host: string,
  subsets: { name: string; labels?: Record<string, string> }[] = [],
  extra: Record<string, unknown> = {},
  apiVersion = 'networking.istio.io/v1',
) => obj('DestinationRule', ref, { host, subsets, ...extra }, { apiVersion });

describe('destinationrule.subsetselectpod', () => {
  it('reports a subset no pod carries the labels of, and a host no service answers to', () => {
    const findings = findingsOf(destinationRuleSubsets, [
      service('ledger/journal'),
      pod('ledger/journal-v1', { app: 'journal', version: 'v1' }),
      rule(
        'ledger/journal',
        'journal',
        [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v3', labels: { version: 'v3' } },
        ],
        {},
        'networking.istio.io/v1beta1',
      ),
      rule('ledger/jornal', 'jornal', [{ name: 'v1', labels: { version: 'v1' } }]),
    ]);
    expect(summarize(findings)).toEqual(['IST0173 DestinationRule ledger/journal spec.subsets[1]', 'IST0174 DestinationRule ledger/jornal spec.host']);
    expect(findings[0]!.message).toBe('The Subset v3 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).');
    expect(findings[1]!.message).toBe('The host jornal defined in the DestinationRule does not match any services in the mesh.');
  });

  it('finds hosts through ServiceEntries (wildcards too), merges their workloadSelector, and leaves topology subsets alone', () => {
    const findings = findingsOf(destinationRuleSubsets, [
      obj('ServiceEntry', 'ledger/fx', { hosts: ['*.fx.example.org'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }] }),
      obj(
        'ServiceEntry',
        'ledger/vm-journal',
        { hosts: ['journal.vm.internal'], workloadSelector: { labels: { app: 'vm-journal' } } },
        { apiVersion: 'networking.istio.io/v1alpha3' },
      ),
      pod('ledger/journal-v1', { app: 'journal', version: 'v1' }),
      rule('ledger/fx', 'rates.fx.example.org'),
      rule('ledger/vm-journal', 'journal.vm.internal', [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'west', labels: { 'topology.kubernetes.io/region': 'west' } },
      ]),
    ]);
    expect(summarize(findings)).toEqual(['IST0173 DestinationRule ledger/vm-journal spec.subsets[0]']);
  });

  it('respects a Service exported to its own namespace only, and calls nothing missing when services were not loaded', () => {
    const objects = [service('ledger/journal', { 'networking.istio.io/exportTo': '.' }), rule('warehouse/journal', 'journal.ledger.svc.cluster.local')];
    expect(summarize(findingsOf(destinationRuleSubsets, objects))).toEqual(['IST0174 DestinationRule warehouse/journal spec.host']);
    expect(new Analysis([destinationRuleSubsets], objects, { kinds: [K.DestinationRule] }).findings()).toEqual([]);
  });
});

describe('destinationrule.subsetselectpod, incrementally', () => {
  it('re-checks a subset when its pod goes away, and not when a pod of another namespace changes', () => {
    const analysis = new Analysis(
      [destinationRuleSubsets],
      [
        service('ledger/journal'),
        pod('ledger/journal-v1', { app: 'journal', version: 'v1' }),
        rule('ledger/journal', 'journal', [{ name: 'v1', labels: { version: 'v1' } }]),
      ],
    );
    expect(analysis.findings()).toEqual([]);
    expect(analysis.apply([{ type: 'upsert', object: pod('warehouse/stock-v1', { app: 'stock', version: 'v1' }) }])).toEqual({ added: [], removed: [] });
    const diff = analysis.apply([{ type: 'delete', object: pod('ledger/journal-v1', {}) }]);
    expect(summarize(diff.added)).toEqual([]);
    // Istio counts pods of any namespace: the warehouse pod still carries version=v1.
    expect(analysis.findings()).toEqual([]);
    analysis.apply([{ type: 'delete', object: pod('warehouse/stock-v1', {}) }]);
    expect(summarize(analysis.findings())).toEqual(['IST0173 DestinationRule ledger/journal spec.subsets[0]']);
  });
});

describe('destinationrule.subsetselectpod, what a check depends on', () => {
  it('depends on the pod it found, not on every pod carrying the label', () => {
    let checks = 0;
    const counted = {
      ...destinationRuleSubsets,
      check: (...args: Parameters<typeof destinationRuleSubsets.check>) => (checks++, destinationRuleSubsets.check(...args)),
    };
    const analysis = new Analysis(
      [counted],
      [
        service('ledger/journal'),
        pod('warehouse/stock-v1', { app: 'stock', version: 'v1' }),
        rule('ledger/journal', 'journal', [{ name: 'v1', labels: { version: 'v1' } }]),
      ],
    );
    checks = 0;
    analysis.apply([{ type: 'upsert', object: pod('depot/picker-v1', { app: 'picker', version: 'v1' }) }]);
    expect(checks).toBe(0);
    analysis.apply([{ type: 'delete', object: pod('warehouse/stock-v1', {}) }]);
    expect(checks).toBe(1);
    expect(analysis.findings()).toEqual([]);
  });
});
