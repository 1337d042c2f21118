import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Analysis, findingKey, type Change } from '../engine';
import { findingsOf, obj, summarize } from '../testing';
import type { Analyzer } from '../types';
import { meshdeckOutlierEjection, whyNoEjection } from './meshdeck-outlier-ejection';

const service = obj('Service', 'orchard/pickers', { selector: { app: 'pickers' }, ports: [{ name: 'http', port: 8080 }] });
const pods = (count: number, track = 'main', phase = 'Running') =>
  Array.from({ length: count }, (_, i) =>
    obj('Pod', `orchard/pickers-${track}-${phase.toLowerCase()}-${i}`, {}, { metadata: { labels: { app: 'pickers', track } }, status: { phase } }),
  );
const dr = (trafficPolicy: Record<string, unknown>, subsets?: unknown[], apiVersion = 'networking.istio.io/v1') =>
  obj('DestinationRule', 'orchard/pickers', { host: 'pickers.orchard.svc.cluster.local', trafficPolicy, subsets }, { apiVersion });

describe('meshdeck.outlierejection (MDK0010)', () => {
  it('explains the Envoy arithmetic', () => {
    expect(whyNoEjection({}, 5)).toContain('maxEjectionPercent (default 10%) of 5 endpoints is less than one host');
    expect(whyNoEjection({}, 10)).toBeUndefined();
    expect(whyNoEjection({ maxEjectionPercent: 34 }, 3)).toBeUndefined();
    expect(whyNoEjection({ maxEjectionPercent: 33 }, 3)).toContain('maxEjectionPercent 33% of 3 endpoints');
    expect(whyNoEjection({ maxEjectionPercent: 100, minHealthPercent: 60 }, 2)).toContain('leaves 50% healthy, below minHealthPercent 60%');
    expect(whyNoEjection({ maxEjectionPercent: 100, minHealthPercent: 50 }, 2)).toBeUndefined();
    expect(whyNoEjection({ consecutive5xxErrors: 0 }, undefined)).toContain('no detector can fire');
    expect(whyNoEjection({ consecutive5xxErrors: 0, consecutiveGatewayErrors: 3 }, 50)).toBeUndefined();
    expect(whyNoEjection({ consecutive5xxErrors: 0, splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 2 }, 50)).toBeUndefined();
    expect(whyNoEjection({ consecutive5xxErrors: 0, consecutiveLocalOriginFailures: 2 }, 50)).toContain('no detector');
  });

  it('counts running pods of the host, and of each subset that inherits the rule’s settings', () => {
    const rule = dr({ outlierDetection: { consecutive5xxErrors: 3, interval: '1m30s', maxEjectionPercent: 25 } }, [
      { name: 'main', labels: { track: 'main' } },
      { name: 'canary', labels: { track: 'canary' } },
    ]);
    const findings = findingsOf(meshdeckOutlierEjection, [rule, service, ...pods(3), ...pods(1, 'canary'), ...pods(4, 'canary', 'Failed')]);
    // 4 running pods: 25% ejects one. main (3 pods): 25% of 3 is under one; canary (1 pod) too.
    expect(summarize(findings)).toEqual([
      'MDK0010 DestinationRule orchard/pickers spec.trafficPolicy.outlierDetection',
      'MDK0010 DestinationRule orchard/pickers spec.trafficPolicy.outlierDetection',
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'Outlier detection for subset canary never ejects: maxEjectionPercent 25% of 1 endpoint is less than one host (Envoy ejects only while ejected hosts stay within the percentage), so none is ever ejected',
      'Outlier detection for subset main never ejects: maxEjectionPercent 25% of 3 endpoints is less than one host (Envoy ejects only while ejected hosts stay within the percentage), so none is ever ejected',
    ]);
  });

  it('reports subset and port-level settings where they are written, and disabled detectors without pods', () => {
    const rule = dr(
      { portLevelSettings: [{ port: { number: 8080 }, outlierDetection: { consecutive5xxErrors: 0 } }] },
      [{ name: 'main', labels: { track: 'main' }, trafficPolicy: { outlierDetection: { baseEjectionTime: '1.5s' } } }],
      'networking.istio.io/v1beta1',
    );
    expect(summarize(findingsOf(meshdeckOutlierEjection, [rule, service, ...pods(5)]))).toEqual([
      'MDK0010 DestinationRule orchard/pickers spec.subsets[0].trafficPolicy.outlierDetection',
      'MDK0010 DestinationRule orchard/pickers spec.trafficPolicy.portLevelSettings[0].outlierDetection',
    ]);
  });

  it('is silent when ejection works, without outlier detection, or when the endpoints are unknown', () => {
    expect(findingsOf(meshdeckOutlierEjection, [dr({ outlierDetection: { maxEjectionPercent: 50 } }), service, ...pods(2)])).toEqual([]);
    expect(findingsOf(meshdeckOutlierEjection, [dr({ connectionPool: { tcp: { maxConnections: 10 } } }), service, ...pods(1)])).toEqual([]);
    expect(findingsOf(meshdeckOutlierEjection, [dr({ outlierDetection: {} })])).toEqual([]);
  });

  it('after pod, Service and rule changes in two namespaces sharing labels, holds the findings of a fresh analysis', () => {
    const namespaces = ['orchard', 'vineyard'];
    const pod = (ns: string, name: string, track: string, phase: string) =>
      obj('Pod', `${ns}/${name}`, {}, { metadata: { labels: { app: 'pickers', track } }, status: { phase } });
    const svc = (ns: string, selector: Record<string, string>) => obj('Service', `${ns}/pickers`, { selector });
    const rule = (ns: string, percent?: number, minHealth?: number) =>
      obj('DestinationRule', `${ns}/pickers`, {
        host: 'pickers',
        trafficPolicy: { outlierDetection: { maxEjectionPercent: percent, minHealthPercent: minHealth } },
        subsets: [
          { name: 'main', labels: { track: 'main' } },
          { name: 'canary', labels: { track: 'canary' }, trafficPolicy: { outlierDetection: { maxEjectionPercent: 50 } } },
        ],
      });
    // Each namespace starts with a rule, its Service and two running pods; changes go on top.
    const base = namespaces.flatMap((ns) => [svc(ns, { app: 'pickers' }), rule(ns, 25), pod(ns, 'p1', 'main', 'Running'), pod(ns, 'p2', 'canary', 'Running')]);
    const ns = fc.constantFrom(...namespaces);
    const change = fc.oneof(
      fc
        .record({
          ns,
          name: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
          track: fc.constantFrom('main', 'canary'),
          phase: fc.constantFrom('Running', 'Pending'),
          del: fc.boolean(),
        })
        .map((v): Change => ({ type: v.del ? 'delete' : 'upsert', object: pod(v.ns, v.name, v.track, v.phase) })),
      fc
        .record({ ns, selector: fc.constantFrom<Record<string, string>>({ app: 'pickers' }, { app: 'pickers', track: 'main' }, {}), del: fc.boolean() })
        .map((v): Change => ({ type: v.del ? 'delete' : 'upsert', object: svc(v.ns, v.selector) })),
      fc
        .record({ ns, percent: fc.constantFrom(undefined, 25, 50, 100), minHealth: fc.constantFrom(undefined, 60), del: fc.boolean() })
        .map((v): Change => ({ type: v.del ? 'delete' : 'upsert', object: rule(v.ns, v.percent, v.minHealth) })),
    );
    const keyOfObject = (o: Change['object']) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
    const keys = (analysis: Analysis) => analysis.findings().map(findingKey);
    let seen = 0;
    fc.assert(
      fc.property(fc.array(change, { maxLength: 30 }), (changes) => {
        const incremental = new Analysis([meshdeckOutlierEjection], base);
        const objects = new Map(base.map((o) => [keyOfObject(o), o]));
        for (const c of changes) {
          incremental.apply([c]);
          if (c.type === 'upsert') objects.set(keyOfObject(c.object), c.object);
          else objects.delete(keyOfObject(c.object));
        }
        const fresh = keys(new Analysis([meshdeckOutlierEjection], objects.values()));
        expect(keys(incremental)).toEqual(fresh);
        seen += fresh.length;
      }),
    );
    // Not vacuous: the clusters generated do hold rules that cannot eject.
    expect(seen).toBeGreaterThan(0);
  });

  it('does not re-run a rule’s check when a pod with the same labels changes in another namespace', () => {
    const checked: string[] = [];
    const counting: Analyzer = {
      ...meshdeckOutlierEjection,
      check(rule, context) {
        checked.push(`${rule.metadata.namespace}/${rule.metadata.name}`);
        meshdeckOutlierEjection.check(rule, context);
      },
    };
    const elsewhere = (name: string) =>
      obj('Pod', `vineyard/${name}`, {}, { metadata: { labels: { app: 'pickers', track: 'main' } }, status: { phase: 'Running' } });
    const analysis = new Analysis([counting], [service, dr({ outlierDetection: { maxEjectionPercent: 50 } }), ...pods(2), elsewhere('p0')]);
    checked.length = 0;
    analysis.apply([{ type: 'upsert', object: elsewhere('p1') }]);
    analysis.apply([{ type: 'delete', object: elsewhere('p0') }]);
    expect(checked).toEqual([]);
    // One of this namespace's two pods goes: 50% of 1 endpoint is less than one host.
    const diff = analysis.apply([{ type: 'delete', object: pods(2)[1]! }]);
    expect(checked).toEqual(['orchard/pickers']);
    expect(summarize(diff.added)).toEqual(['MDK0010 DestinationRule orchard/pickers spec.trafficPolicy.outlierDetection']);
  });
});
