import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { annotationsAlpha } from './annotations-alpha';

const pod = (ref: string, annotations: Record<string, string>, initContainers: string[] = []) =>
  obj(
    'Pod',
    ref,
    { initContainers: initContainers.map((name) => ({ name, image: `proxy/${name}` })), containers: [{ name: 'app', image: 'app' }] },
    {
      metadata: { annotations },
    },
  );

describe('annotations.alpha', () => {
  it('reports alpha-phase annotations but not the injector status', () => {
    const findings = findingsOf(annotationsAlpha, [
      pod(
        'billing/invoicer-1',
        {
          'sidecar.istio.io/status': '{"initContainers":["istio-init"]}',
          'sidecar.istio.io/proxyCPU': '100m',
          'sidecar.istio.io/interceptionMode': 'REDIRECT',
          'proxy.istio.io/config': '{}',
        },
        ['istio-init'],
      ),
      obj('Service', 'billing/invoicer', {}, { metadata: { annotations: { 'networking.istio.io/exportTo': '*', 'traffic.istio.io/nodeSelector': 'a=b' } } }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0136 Pod billing/invoicer-1 metadata.annotations["sidecar.istio.io/interceptionMode"]',
      'IST0136 Pod billing/invoicer-1 metadata.annotations["sidecar.istio.io/proxyCPU"]',
      'IST0136 Service billing/invoicer metadata.annotations["networking.istio.io/exportTo"]',
    ]);
    expect(findings[1]!.message).toBe('Annotation "sidecar.istio.io/proxyCPU" is part of an alpha-phase feature and may be incompletely supported.');
  });

  it('leaves the redirection annotations the injector sets with the CNI plugin (no istio-init)', () => {
    const findings = findingsOf(annotationsAlpha, [
      pod('billing/invoicer-2', {
        'sidecar.istio.io/interceptionMode': 'REDIRECT',
        'traffic.sidecar.istio.io/includeInboundPorts': '*',
        'traffic.sidecar.istio.io/excludeInboundPorts': '15020',
        'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
        'proxy.istio.io/config': '{}',
      }),
    ]);
    expect(findings).toEqual([]);
  });

  it('leaves istio.io/rev on an injected pod (the injector writes it) but not on a pod no injector touched', () => {
    const findings = findingsOf(annotationsAlpha, [
      pod('billing/invoicer-3', { 'sidecar.istio.io/status': '{"initContainers":["istio-init"]}', 'istio.io/rev': 'default' }, ['istio-init']),
      pod('billing/invoicer-4', { 'istio.io/rev': 'canary' }, ['istio-init']),
    ]);
    expect(summarize(findings)).toEqual(['IST0136 Pod billing/invoicer-4 metadata.annotations["istio.io/rev"]']);
  });
});
