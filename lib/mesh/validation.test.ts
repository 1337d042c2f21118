import { codeInfo } from '@/lib/analysis/codes';
import { describe, expect, it } from 'vitest';
import type { Finding } from '@/lib/analysis/types';
import { findingRows, objectSummaryKey, summarizeByObject, validationView } from './validation';

const finding = (code: string, level: Finding['level'], kind: string, apiVersion: string, namespace: string | undefined, name: string): Finding => ({
  code,
  level,
  message: `${code} on ${name}`,
  origin: { kind, apiVersion, ...(namespace ? { namespace } : {}), name },
  analyzer: 'test',
});

const findings = [
  finding('IST0101', 'Error', 'VirtualService', 'networking.istio.io/v1', 'shop', 'cart'),
  finding('MDK0004', 'Info', 'DestinationRule', 'networking.istio.io/v1beta1', 'shop', 'cart'),
  finding('IST0101', 'Warning', 'Gateway', 'gateway.networking.k8s.io/v1', 'edge', 'public'),
  finding('IST0102', 'Info', 'Namespace', 'v1', undefined, 'billing'),
  finding('IST0139', 'Error', 'MutatingWebhookConfiguration', 'admissionregistration.k8s.io/v1', undefined, 'istio-sidecar-injector'),
];
const refs = (rows: { kind: string; name: string }[]) => rows.map((r) => `${r.kind} ${r.name}`);

describe('findingRows', () => {
  it('filters by namespace, level, code and kind (by name, or group/Kind to tell two Gateways apart)', () => {
    expect(refs(findingRows(findings, { namespace: 'shop' }))).toEqual(['VirtualService cart', 'DestinationRule cart']);
    expect(refs(findingRows(findings, { level: 'Error' }))).toEqual(['VirtualService cart', 'MutatingWebhookConfiguration istio-sidecar-injector']);
    expect(refs(findingRows(findings, { code: 'IST0101', kind: 'Gateway' }))).toEqual(['Gateway public']);
    expect(refs(findingRows(findings, { kind: 'networking.istio.io/Gateway' }))).toEqual([]);
    expect(refs(findingRows(findings, { kind: 'gateway.networking.k8s.io/Gateway' }))).toEqual(['Gateway public']);
  });

  it("files a Namespace's finding under that namespace, and leaves cluster-scoped objects without one", () => {
    const rows = findingRows(findings, {});
    expect(rows.find((r) => r.kind === 'Namespace')?.namespace).toBe('billing');
    expect(rows.find((r) => r.kind === 'MutatingWebhookConfiguration')).not.toHaveProperty('namespace');
    expect(refs(findingRows(findings, { namespace: 'billing' }))).toEqual(['Namespace billing']);
  });
});

describe('validationView', () => {
  it('counts per level and lists the catalogue entries of the codes present', () => {
    const view = validationView(
      findingRows(findings, {}),
      [{ kind: 'gateway.networking.k8s.io/HTTPRoute', reason: 'not served' }],
      {
        synced: true,
        objects: 9,
      },
      codeInfo,
    );
    expect(view.counts).toEqual({ Error: 2, Warning: 1, Info: 2 });
    expect(view.codes.map((c) => `${c.code} ${c.name}`)).toEqual([
      'IST0101 ReferencedResourceNotFound',
      'IST0102 NamespaceNotInjected',
      'IST0139 InvalidWebhook',
      'MDK0004 UnusedSubset',
    ]);
  });
});

describe('summarizeByObject', () => {
  it("gives each object its most severe level and its findings' count", () => {
    const rows = findingRows([...findings, finding('MDK0002', 'Warning', 'VirtualService', 'networking.istio.io/v1', 'shop', 'cart')], {});
    const summary = summarizeByObject(rows).get(objectSummaryKey('VirtualService', 'shop', 'cart'));
    expect(summary).toEqual({ level: 'Error', count: 2, messages: ['IST0101 IST0101 on cart', 'MDK0002 MDK0002 on cart'] });
    expect(summarizeByObject(rows).get(objectSummaryKey('VirtualService', 'shop', 'other'))).toBeUndefined();
  });
});
