import { describe, expect, it } from 'vitest';
import { scopeMode, tlsConflicts, workloadMode, type Workload } from './mtls';
import type { PeerAuthentication } from './security-types';
import type { DestinationRule } from './types';

const pa = (namespace: string, name: string, spec: PeerAuthentication['spec'], created = '2026-01-01T00:00:00Z'): PeerAuthentication => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: { namespace, name, resourceVersion: '1', creationTimestamp: created },
  spec,
});
const coach: Workload = { namespace: 'shop', name: 'coach', labels: { app: 'coach' }, ports: [8080, 9090] };

describe('effective mTLS mode', () => {
  it('defaults to PERMISSIVE without any policy', () => {
    expect(workloadMode([], 'istio-system', coach).mode).toEqual({ mode: 'PERMISSIVE', source: 'Istio default (no PeerAuthentication)' });
  });

  it('takes the mesh-wide policy, then the namespace one over it', () => {
    const mesh = pa('istio-system', 'default', { mtls: { mode: 'STRICT' } });
    expect(workloadMode([mesh], 'istio-system', coach).mode.mode).toBe('STRICT');
    const ns = pa('shop', 'default', { mtls: { mode: 'PERMISSIVE' } });
    expect(workloadMode([mesh, ns], 'istio-system', coach).mode).toEqual({ mode: 'PERMISSIVE', source: 'PeerAuthentication shop/default' });
    expect(scopeMode([mesh, ns], 'istio-system').mode).toBe('STRICT');
  });

  it('lets a workload policy override, UNSET inherit, and port-level settings override per port', () => {
    const ns = pa('shop', 'default', { mtls: { mode: 'STRICT' } });
    const unset = pa('shop', 'coach', { selector: { matchLabels: { app: 'coach' } }, mtls: { mode: 'UNSET' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } });
    const result = workloadMode([ns, unset], 'istio-system', coach);
    expect(result.mode.mode).toBe('STRICT');
    expect(result.ports).toEqual([
      { port: 8080, mode: { mode: 'STRICT', source: 'PeerAuthentication shop/default' } },
      { port: 9090, mode: { mode: 'DISABLE', source: 'PeerAuthentication shop/coach (port 9090)' } },
    ]);
    const other: Workload = { ...coach, labels: { app: 'other' } };
    expect(workloadMode([ns, unset], 'istio-system', other).ports[1]!.mode.mode).toBe('STRICT');
  });

  it('applies the oldest of several workload policies', () => {
    const newer = pa('shop', 'b', { selector: { matchLabels: { app: 'coach' } }, mtls: { mode: 'DISABLE' } }, '2026-02-01T00:00:00Z');
    const older = pa('shop', 'a', { selector: { matchLabels: { app: 'coach' } }, mtls: { mode: 'PERMISSIVE' } }, '2026-01-01T00:00:00Z');
    expect(workloadMode([newer, older], 'istio-system', coach).mode.source).toBe('PeerAuthentication shop/a');
  });

  it('flags DestinationRule TLS that contradicts the server mode', () => {
    const strict = workloadMode([pa('shop', 'default', { mtls: { mode: 'STRICT' } })], 'istio-system', coach);
    const dr: DestinationRule = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'coach', namespace: 'shop', resourceVersion: '1' },
      spec: { host: 'coach', trafficPolicy: { tls: { mode: 'DISABLE' } } },
    };
    const conflicts = tlsConflicts([dr], [strict], new Map([['shop/coach', { app: 'coach' }]]));
    expect(conflicts[0]!.message).toContain('sends plaintext (tls.mode DISABLE) to coach, whose workloads require mTLS (STRICT)');
  });
});
