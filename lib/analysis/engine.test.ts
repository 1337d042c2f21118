import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Analysis, findingKey, type Change } from './engine';
import { K } from './kinds';
import { labelsMatch } from '@/lib/mesh/selectors';
import { obj } from './testing';
import type { Analyzer, View } from './types';
import { virtualServiceDestinationRules } from './analyzers/virtualservice-destinationrules';

// A toy analyzer that reads a list (pods of a namespace) rather than an index.
const podsMatchingLabels = (view: View, namespace: string, labels: Record<string, string> | undefined) =>
  labels && Object.keys(labels).length ? view.list(K.Pod, namespace).filter((pod) => labelsMatch(labels, pod.metadata.labels)) : [];
const subsetsWithoutPods: Analyzer = {
  id: 'test.subsetpods',
  description: 'subsets without pods',
  kinds: [K.DestinationRule],
  codes: ['MDK0003'],
  check(rule, context) {
    for (const subset of (rule.spec as { subsets?: { name: string; labels?: Record<string, string> }[] }).subsets ?? []) {
      if (podsMatchingLabels(context, rule.metadata.namespace!, subset.labels).length === 0) context.report('MDK0003', `subset ${subset.name} has no pods`);
    }
  },
};
const analyzers = [virtualServiceDestinationRules, subsetsWithoutPods];

const names = ['a', 'b'];
const versions = ['v1', 'v2', 'v3'];
const arbitraryChange = fc.oneof(
  fc.record({ name: fc.constantFrom(...names), subset: fc.constantFrom(...versions), del: fc.boolean() }).map(({ name, subset, del }): Change => ({
    type: del ? 'delete' : 'upsert',
    object: obj('VirtualService', `ns/${name}`, { hosts: [name], http: [{ route: [{ destination: { host: name, subset } }] }] }),
  })),
  fc.record({ name: fc.constantFrom(...names), subsets: fc.subarray(versions), del: fc.boolean() }).map(({ name, subsets, del }): Change => ({
    type: del ? 'delete' : 'upsert',
    object: obj('DestinationRule', `ns/${name}`, { host: name, subsets: subsets.map((s) => ({ name: s, labels: { app: name, version: s } })) }),
  })),
  fc
    .record({ pod: fc.constantFrom('p1', 'p2', 'p3'), app: fc.constantFrom(...names), version: fc.constantFrom(...versions), del: fc.boolean() })
    .map(({ pod, app, version, del }): Change => ({
      type: del ? 'delete' : 'upsert',
      object: obj('Pod', `ns/${pod}`, {}, { metadata: { labels: { app, version } } }),
    })),
);

const keys = (analysis: Analysis) => analysis.findings().map(findingKey);

describe('Analysis', () => {
  it('after any sequence of changes, holds exactly the findings of a fresh analysis', () => {
    fc.assert(
      fc.property(fc.array(arbitraryChange, { maxLength: 25 }), (changes) => {
        const incremental = new Analysis(analyzers);
        const objects = new Map<string, Change['object']>();
        for (const change of changes) {
          incremental.apply([change]);
          const key = `${change.object.kind}/${change.object.metadata.name}`;
          if (change.type === 'upsert') objects.set(key, change.object);
          else objects.delete(key);
        }
        expect(keys(incremental)).toEqual(keys(new Analysis(analyzers, objects.values())));
      }),
    );
  });

  it('previews a change without keeping it, and reports what it adds and removes', () => {
    const analysis = new Analysis(analyzers, [
      obj('DestinationRule', 'ns/a', { host: 'a', subsets: [{ name: 'v1', labels: { app: 'a' } }] }),
      obj('VirtualService', 'ns/a', { hosts: ['a'], http: [{ route: [{ destination: { host: 'a', subset: 'v1' } }] }] }),
      obj('Pod', 'ns/p', {}, { metadata: { labels: { app: 'a' } } }),
    ]);
    expect(analysis.findings()).toEqual([]);
    const diff = analysis.preview([
      { type: 'upsert', object: obj('VirtualService', 'ns/a', { hosts: ['a'], http: [{ route: [{ destination: { host: 'a', subset: 'v7' } }] }] }) },
    ]);
    expect(diff.added.map((f) => f.code)).toEqual(['IST0101']);
    expect(diff.removed).toEqual([]);
    expect(analysis.findings()).toEqual([]);
  });

  it('turns an analyzer that throws into IST0001 on the object, and honours the suppress annotation', () => {
    const broken: Analyzer = {
      id: 'test.broken',
      description: '',
      kinds: [K.Service],
      codes: [],
      check: () => {
        throw new Error('boom');
      },
    };
    const analysis = new Analysis(
      [broken, virtualServiceDestinationRules],
      [
        obj('Service', 'ns/s'),
        obj(
          'VirtualService',
          'ns/q',
          { http: [{ route: [{ destination: { host: 'q', subset: 'x' } }] }] },
          { metadata: { annotations: { 'galley.istio.io/analyze-suppress': 'IST0101' } } },
        ),
      ],
    );
    expect(analysis.findings().map((f) => `${f.code} ${f.message}`)).toEqual(['IST0001 Internal error in test.broken: boom']);
  });
});
