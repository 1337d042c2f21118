import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Finding, Level } from '../types';
import { atOrAbove, cleanLine, exitCodeFor, originName, render, selectFindings, suppressedBy, textLine } from './format';

const finding = (code: string, level: Level, kind: string, ref: string, message = 'Something is off'): Finding => {
  const [namespace, name] = ref.includes('/') ? ref.split('/') : [undefined, ref];
  return { code, level, message, origin: { kind, apiVersion: 'v1', name: name!, ...(namespace ? { namespace } : {}) }, analyzer: 'test.analyzer' };
};

const routeError = finding('IST0101', 'Error', 'VirtualService', 'shop/checkout', 'Referenced host+subset in destinationrule not found: "checkout+v2"');
const weightWarning = finding('MDK0002', 'Warning', 'VirtualService', 'lab/cart');
const namespaceInfo = finding('IST0102', 'Info', 'Namespace', 'lab');
const webhookError = finding('IST0139', 'Error', 'MutatingWebhookConfiguration', 'injector');

describe('analyze output', () => {
  it('names origins as istioctl does: Kind namespace/name, or Kind name when cluster-scoped', () => {
    expect(originName(routeError.origin)).toBe('VirtualService shop/checkout');
    expect(originName(webhookError.origin)).toBe('MutatingWebhookConfiguration injector');
  });

  it("writes istioctl's text line", () => {
    expect(textLine(routeError)).toBe('Error [IST0101] (VirtualService shop/checkout) Referenced host+subset in destinationrule not found: "checkout+v2"');
  });

  it('keeps the namespace asked for, with cluster-scoped findings and a Namespace counted as its own', () => {
    const all = [routeError, weightWarning, namespaceInfo, webhookError];
    expect(selectFindings(all, 'lab', []).map((f) => f.code)).toEqual(['MDK0002', 'IST0102', 'IST0139']);
    expect(selectFindings(all, undefined, [])).toHaveLength(4);
  });

  it('suppresses by code and resource glob, in the Kind ns/name form and the older Kind name.ns one', () => {
    expect(suppressedBy(routeError, [{ code: 'IST0101', resource: 'VirtualService shop/checkout' }])).toBe(true);
    expect(suppressedBy(routeError, [{ code: 'IST0101', resource: 'VirtualService shop/*' }])).toBe(true);
    expect(suppressedBy(routeError, [{ code: 'IST0101', resource: 'VirtualService checkout.shop' }])).toBe(true);
    expect(suppressedBy(routeError, [{ code: 'IST0101', resource: '*' }])).toBe(true);
    expect(suppressedBy(routeError, [{ code: 'IST0102', resource: '*' }])).toBe(false);
    expect(suppressedBy(routeError, [{ code: 'IST0101', resource: 'VirtualService lab/*' }])).toBe(false);
    // Dots and other characters are literal: only * is a wildcard.
    expect(suppressedBy(routeError, [{ code: 'IST0101', resource: 'VirtualService shop.checkout' }])).toBe(false);
    expect(suppressedBy(webhookError, [{ code: 'IST0139', resource: 'MutatingWebhookConfiguration inj*' }])).toBe(true);
  });

  it('exits 79 when a finding is at or above the failure threshold, else 0', () => {
    expect(exitCodeFor([weightWarning, namespaceInfo], 'Error')).toBe(0);
    expect(exitCodeFor([weightWarning, namespaceInfo], 'Warning')).toBe(79);
    expect(exitCodeFor([namespaceInfo], 'Warning')).toBe(0);
    expect(exitCodeFor([namespaceInfo], 'Info')).toBe(79);
    expect(exitCodeFor([], 'Info')).toBe(0);
    expect(atOrAbove([routeError, weightWarning, namespaceInfo], 'Warning').map((f) => f.level)).toEqual(['Error', 'Warning']);
  });

  it("adds istioctl's file reference for objects read from files", () => {
    const referenceOf = (f: Finding) => (f === routeError ? 'mesh/shop.yaml:12' : undefined);
    expect(render([routeError, weightWarning], 'text', referenceOf).split('\n')).toEqual([
      'Error [IST0101] (VirtualService shop/checkout mesh/shop.yaml:12) Referenced host+subset in destinationrule not found: "checkout+v2"',
      'Warning [MDK0002] (VirtualService lab/cart) Something is off',
    ]);
    expect((JSON.parse(render([routeError, weightWarning], 'json', referenceOf)) as { reference?: string }[]).map((m) => m.reference)).toEqual([
      'mesh/shop.yaml:12',
      undefined,
    ]);
  });

  it('renders JSON and YAML as arrays of {code, level, message, origin}', () => {
    const expected = [{ code: 'IST0101', level: 'Error', message: routeError.message, origin: 'VirtualService shop/checkout' }];
    expect(JSON.parse(render([routeError], 'json'))).toEqual(expected);
    expect(parse(render([routeError], 'yaml'))).toEqual(expected);
    expect(render([], 'json')).toBe('[]');
    expect(render([], 'yaml')).toBe('[]');
    expect(render([], 'text')).toBe('');
  });

  it('says what was analyzed when clean, as istioctl does', () => {
    expect(cleanLine({ files: [], namespace: 'shop' })).toBe('\u2714 No validation issues found when analyzing namespace: shop.');
    expect(cleanLine({ files: [], namespace: undefined })).toBe('\u2714 No validation issues found when analyzing all namespaces.');
    expect(cleanLine({ files: ['a.yaml', 'b.yaml'], namespace: 'shop' })).toBe('\u2714 No validation issues found when analyzing a.yaml\nb.yaml.');
  });
});
