import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { k8sGatewaySelector } from './k8sgateway-selector';

const gatewayPod = (ref: string, gateway: string) =>
  obj('Pod', ref, {}, { metadata: { labels: { [`gateway.networking.k8s.io/gateway-name`]: gateway, 'istio.io/gateway-name': gateway } } });
const selecting = (kind: string, ref: string, spec: Record<string, unknown>, apiVersion?: string) => obj(kind, ref, spec, apiVersion ? { apiVersion } : {});

describe('k8sgateway.selector', () => {
  it('reports policies whose selector picks pods of a Kubernetes Gateway', () => {
    const selector = { matchLabels: { 'istio.io/gateway-name': 'edge' } };
    const findings = findingsOf(k8sGatewaySelector, [
      gatewayPod('ledger/edge-istio-6d8', 'edge'),
      gatewayPod('ledger/edge-istio-7f2', 'edge'),
      obj('Pod', 'ledger/journal-1', {}, { metadata: { labels: { app: 'journal' } } }),
      selecting('AuthorizationPolicy', 'ledger/edge-deny', { selector, action: 'DENY', rules: [{}] }, 'security.istio.io/v1beta1'),
      selecting('RequestAuthentication', 'ledger/edge-jwt', { selector }),
      selecting('Telemetry', 'ledger/edge-logs', { selector, accessLogging: [{}] }),
      selecting('WasmPlugin', 'ledger/edge-wasm', { selector, url: 'oci://registry.example/filter:1' }),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0166 AuthorizationPolicy ledger/edge-deny spec.selector',
      'IST0166 RequestAuthentication ledger/edge-jwt spec.selector',
      'IST0166 Telemetry ledger/edge-logs spec.selector',
      'IST0166 WasmPlugin ledger/edge-wasm spec.selector',
    ]);
    expect(findings[0]!.message).toBe('Ineffective selector on Kubernetes Gateway edge. Use the TargetRef field instead.');
  });

  it('accepts targetRefs, selectors of ordinary pods, and gateways of other namespaces', () => {
    const findings = findingsOf(k8sGatewaySelector, [
      gatewayPod('ledger/edge-istio-6d8', 'edge'),
      gatewayPod('warehouse/dock-istio-1', 'dock'),
      obj('Pod', 'ledger/journal-1', {}, { metadata: { labels: { app: 'journal' } } }),
      selecting('AuthorizationPolicy', 'ledger/edge', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'edge' }] }),
      selecting('AuthorizationPolicy', 'ledger/journal', { selector: { matchLabels: { app: 'journal' } } }),
      selecting('RequestAuthentication', 'ledger/dock', { selector: { matchLabels: { 'istio.io/gateway-name': 'dock' } } }),
    ]);
    expect(findings).toEqual([]);
  });
});
