import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { injectionAnalyzer } from './injection-analyzer';

const namespace = (name: string, labels: Record<string, string> = {}) => obj('Namespace', name, undefined, { metadata: { labels } });
const pod = (
  ref: string,
  containers: Record<string, unknown>[],
  extra: { labels?: Record<string, string>; annotations?: Record<string, string>; spec?: object } = {},
) => obj('Pod', ref, { containers, ...extra.spec }, { metadata: { labels: extra.labels ?? {}, annotations: extra.annotations ?? {} } });
const app = { name: 'app', image: 'registry.example/app:3' };
const proxy = { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2' };
const injector = (enableNamespacesByDefault: boolean) =>
  obj('ConfigMap', 'istio-system/istio-sidecar-injector', undefined, {
    data: { values: JSON.stringify({ sidecarInjectorWebhook: { enableNamespacesByDefault } }) },
  });

describe('injection.analyzer', () => {
  it('reports a namespace without an injection label, and not system namespaces', () => {
    const findings = findingsOf(injectionAnalyzer, [
      namespace('treasury'),
      namespace('kube-system'),
      namespace('istio-system'),
      namespace('local-path-storage'),
      namespace('opted-out', { 'istio-injection': 'disabled' }),
      namespace('ambient-apps', { 'istio.io/dataplane-mode': 'ambient' }),
    ]);
    expect(summarize(findings)).toEqual(['IST0102 Namespace treasury metadata.labels']);
    expect(findings[0]!.message).toBe(
      "The namespace is not enabled for Istio injection. Run 'kubectl label namespace treasury istio-injection=enabled' to enable it, or 'kubectl label namespace treasury istio-injection=disabled' to explicitly mark it as not needing injection.",
    );
  });

  it('says a label-less namespace is injected when the injector enables namespaces by default', () => {
    const findings = findingsOf(injectionAnalyzer, [namespace('treasury'), injector(true)]);
    expect(summarize(findings)).toEqual(['IST0148 Namespace treasury metadata.labels']);
    expect(findingsOf(injectionAnalyzer, [namespace('treasury'), injector(false)]).map((f) => f.code)).toEqual(['IST0102']);
  });

  it('reports more than one kind of injection label, ambient included', () => {
    const findings = findingsOf(injectionAnalyzer, [
      namespace('mixed', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }),
      namespace('both-modes', { 'istio.io/rev': 'stable', 'istio.io/dataplane-mode': 'ambient' }),
      namespace('disabled-rev', { 'istio-injection': 'disabled', 'istio.io/rev': 'canary' }),
    ]);
    expect(summarize(findings)).toEqual(['IST0123 Namespace both-modes metadata.labels', 'IST0123 Namespace mixed metadata.labels']);
    expect(findings[1]!.message).toBe(
      'The namespace has more than one type of injection labels [istio-injection=enabled istio.io/rev=canary], which may lead to undefined behavior. Make sure only one injection label exists.',
    );
  });

  it('reports a pod of an injected namespace without a proxy', () => {
    const findings = findingsOf(injectionAnalyzer, [
      namespace('treasury', { 'istio-injection': 'enabled' }),
      namespace('ledger', { 'istio.io/rev': '1-24' }),
      pod('treasury/charge-1', [app]),
      pod('ledger/post-1', [app]),
    ]);
    expect(summarize(findings)).toEqual(['IST0103 Pod ledger/post-1 spec.containers', 'IST0103 Pod treasury/charge-1 spec.containers']);
    expect(findings[1]!.message).toBe(
      'The pod treasury/charge-1 is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.',
    );
  });

  it('accepts sidecars, native sidecars, opted-out and host-network pods, and pods of ambient or unlabelled namespaces', () => {
    const findings = findingsOf(injectionAnalyzer, [
      namespace('treasury', { 'istio-injection': 'enabled' }),
      namespace('ambient-apps', { 'istio.io/dataplane-mode': 'ambient' }),
      namespace('plain', { 'istio-injection': 'disabled' }),
      pod('treasury/sidecar', [app, proxy]),
      pod('treasury/native', [app], { spec: { initContainers: [{ ...proxy, restartPolicy: 'Always' }] } }),
      pod('treasury/label-off', [app], { labels: { 'sidecar.istio.io/inject': 'False' } }),
      pod('treasury/annotation-off', [app], { annotations: { 'sidecar.istio.io/inject': 'false' } }),
      pod('treasury/node-agent', [app], { spec: { hostNetwork: true } }),
      pod('ambient-apps/ztunnel-client', [app]),
      pod('plain/batch', [app]),
    ]);
    expect(findings).toEqual([]);
  });
});
