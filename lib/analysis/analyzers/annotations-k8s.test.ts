import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { annotationsK8s } from './annotations-k8s';

const annotated = (kind: string, ref: string, annotations: Record<string, string>, labels?: Record<string, string>) =>
  obj(kind, ref, kind === 'Deployment' ? { template: { metadata: { annotations: { 'sidecar.istio.io/bogus': 'x' } } } } : {}, {
    metadata: { annotations, ...(labels ? { labels } : {}) },
  });

describe('annotations.k8s', () => {
  it('reports an unknown istio.io annotation, and only those in Istio namespaces', () => {
    const findings = findingsOf(annotationsK8s, [
      annotated('Pod', 'ledger/worker-0', { 'sidecar.istio.io/proxyCpu': '200m', 'example.com/owner': 'ops', 'app.kubernetes.io/name': 'w' }),
    ]);
    expect(summarize(findings)).toEqual(['IST0108 Pod ledger/worker-0 metadata.annotations["sidecar.istio.io/proxyCpu"]']);
    expect(findings[0]!.message).toBe('Unknown annotation: sidecar.istio.io/proxyCpu');
  });

  it('reports a pod annotation on a Service or a Deployment as misplaced, not on a Pod', () => {
    const findings = findingsOf(annotationsK8s, [
      annotated('Service', 'ledger/api', { 'sidecar.istio.io/proxyCPU': '200m', 'networking.istio.io/exportTo': '.' }),
      annotated('Deployment', 'ledger/api', { 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: true' }),
      annotated('Pod', 'ledger/api-1', { 'sidecar.istio.io/proxyCPU': '200m', 'galley.istio.io/analyze-suppress': 'IST0103' }),
      annotated('Namespace', 'ledger', { 'topology.istio.io/controlPlaneClusters': '*' }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0107 Deployment ledger/api metadata.annotations["proxy.istio.io/config"]',
      'IST0107 Service ledger/api metadata.annotations["sidecar.istio.io/proxyCPU"]',
    ]);
    expect(findings[1]!.message).toBe('Misplaced annotation: sidecar.istio.io/proxyCPU can only be applied to Pod');
  });

  it('reports the deprecated inject annotation unless the label is set too', () => {
    const findings = findingsOf(annotationsK8s, [
      annotated('Pod', 'ledger/old', { 'sidecar.istio.io/inject': 'true', 'sidecar.istio.io/statsInclusionPrefixes': 'cluster' }),
      annotated('Pod', 'ledger/both', { 'sidecar.istio.io/inject': 'true' }, { 'sidecar.istio.io/inject': 'true' }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0135 Pod ledger/old metadata.annotations["sidecar.istio.io/inject"]',
      'IST0135 Pod ledger/old metadata.annotations["sidecar.istio.io/statsInclusionPrefixes"]',
    ]);
    expect(findings[0]!.message).toBe(
      'Annotation "sidecar.istio.io/inject" has been deprecated in favor of the "sidecar.istio.io/inject" label and may not work in future Istio versions.',
    );
    expect(findings[1]!.message).toBe('Annotation "sidecar.istio.io/statsInclusionPrefixes" has been deprecated and may not work in future Istio versions.');
  });

  it('reports values the injector rejects, with its reason', () => {
    const findings = findingsOf(annotationsK8s, [
      annotated('Pod', 'ledger/bad', {
        'sidecar.istio.io/interceptionMode': 'tproxy',
        'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8,169.254.169.254',
        'traffic.sidecar.istio.io/includeInboundPorts': '8080, 70000',
        'readiness.status.sidecar.istio.io/periodSeconds': '-1',
        'prometheus.istio.io/merge-metrics': 'yes',
        'status.sidecar.istio.io/port': 'x',
        'proxy.istio.io/config': '[1, 2]',
      }),
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'Invalid annotation prometheus.istio.io/merge-metrics: strconv.ParseBool: parsing "yes": invalid syntax',
      'Invalid annotation proxy.istio.io/config: failed to convert to apply proxy config: not a ProxyConfig object',
      'Invalid annotation readiness.status.sidecar.istio.io/periodSeconds: strconv.ParseUint: parsing "-1": invalid syntax',
      'Invalid annotation sidecar.istio.io/interceptionMode: interceptionMode invalid, use REDIRECT,TPROXY,NONE: tproxy',
      `Invalid annotation status.sidecar.istio.io/port: excludeInboundPorts invalid: failed parsing port 'x': strconv.ParseUint: parsing "x": invalid syntax`,
      `Invalid annotation traffic.sidecar.istio.io/excludeOutboundIPRanges: excludeIPRanges invalid: failed parsing cidr '169.254.169.254': netip.ParsePrefix("169.254.169.254"): no '/'`,
      `Invalid annotation traffic.sidecar.istio.io/includeInboundPorts: includeInboundPorts invalid: failed parsing port ' 70000': failed parsing port ' 70000': strconv.ParseUint: parsing "70000": value out of range`,
    ]);
    expect(new Set(findings.map((f) => f.code))).toEqual(new Set(['IST0125']));
  });

  it('accepts valid values, wildcards and empty lists', () => {
    const findings = findingsOf(annotationsK8s, [
      annotated('Pod', 'ledger/good', {
        'sidecar.istio.io/interceptionMode': 'TPROXY',
        'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
        'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8,fd00::/8,::ffff:10.1.2.3/128',
        'traffic.sidecar.istio.io/includeInboundPorts': '*',
        'traffic.sidecar.istio.io/excludeInboundPorts': '',
        'traffic.sidecar.istio.io/excludeOutboundPorts': '5432, 6379',
        'readiness.status.sidecar.istio.io/initialDelaySeconds': '5',
        'prometheus.istio.io/merge-metrics': 'False',
        'proxy.istio.io/config': '{ holdApplicationUntilProxyStarts: true, terminationDrainDuration: 1m30s }',
      }),
    ]);
    expect(findings).toEqual([]);
  });
});
