import { describe, expect, it } from 'vitest';
import { Analysis } from '../engine';
import { K } from '../kinds';
import { findingsOf, obj, summarize } from '../testing';
import { meshdeckStrictTlsDisabled } from './meshdeck-strict-tls-disabled';

// A mesh whose root namespace is not istio-system.
const mesh = obj('ConfigMap', 'istio-system/istio', undefined, { data: { mesh: 'rootNamespace: mesh-admin\n' } });
const service = obj('Service', 'tolls/gates', {
  selector: { app: 'gates' },
  ports: [
    { name: 'http', port: 80, targetPort: 8080 },
    { name: 'https', port: 443, targetPort: 'tls' },
  ],
});
const pod = (name: string, track: string) =>
  obj(
    'Pod',
    `tolls/${name}`,
    { containers: [{ name: 'app', ports: [{ name: 'tls', containerPort: 8443 }] }] },
    { metadata: { labels: { app: 'gates', track } }, status: { phase: 'Running' } },
  );
const workloads = [service, pod('gates-a', 'north'), pod('gates-b', 'south')];
const pa = (ref: string, spec: Record<string, unknown>) => obj('PeerAuthentication', ref, spec, { apiVersion: 'security.istio.io/v1beta1' });
const dr = (spec: Record<string, unknown>) => obj('DestinationRule', 'tolls/gates', { host: 'gates', ...spec }, { apiVersion: 'networking.istio.io/v1alpha3' });

describe('meshdeck.stricttlsdisabled (MDK0005)', () => {
  it('reports DISABLE toward workloads a mesh-wide STRICT (in the mesh config root namespace) covers', () => {
    const findings = findingsOf(meshdeckStrictTlsDisabled, [
      mesh,
      ...workloads,
      pa('mesh-admin/default', { mtls: { mode: 'STRICT' } }),
      dr({ trafficPolicy: { tls: { mode: 'DISABLE' } } }),
    ]);
    expect(summarize(findings)).toEqual(['MDK0005 DestinationRule tolls/gates spec.trafficPolicy.tls.mode']);
    expect(findings[0]!.message).toBe(
      'tls.mode DISABLE sends plaintext to gates, but PeerAuthentication mesh-admin/default requires mTLS (STRICT) on pod tolls/gates-a port 8080 and 1 more pod: requests fail',
    );
  });

  it('follows namespace overrides, workload port settings and port-level DISABLE', () => {
    const objects = [
      mesh,
      ...workloads,
      pa('mesh-admin/default', { mtls: { mode: 'STRICT' } }),
      pa('tolls/default', { mtls: { mode: 'PERMISSIVE' } }),
      // STRICT only on the pod port the Service's https port names (targetPort "tls" → 8443).
      pa('tolls/gates-tls', { selector: { matchLabels: { app: 'gates' } }, mtls: { mode: 'UNSET' }, portLevelMtls: { '8443': { mode: 'STRICT' } } }),
      dr({
        trafficPolicy: {
          tls: { mode: 'DISABLE' },
          portLevelSettings: [
            { port: { number: 443 }, tls: { mode: 'DISABLE' } },
            { port: { number: 80 }, tls: { mode: 'DISABLE' } },
          ],
        },
      }),
    ];
    expect(summarize(findingsOf(meshdeckStrictTlsDisabled, objects))).toEqual([
      'MDK0005 DestinationRule tolls/gates spec.trafficPolicy.portLevelSettings[0].tls.mode',
    ]);
  });

  it('reports a subset setting only for the subset’s pods', () => {
    const objects = [
      mesh,
      ...workloads,
      pa('tolls/north-strict', { selector: { matchLabels: { track: 'north' } }, mtls: { mode: 'STRICT' } }),
      dr({
        subsets: [
          { name: 'north', labels: { track: 'north' }, trafficPolicy: { tls: { mode: 'DISABLE' } } },
          { name: 'south', labels: { track: 'south' }, trafficPolicy: { tls: { mode: 'DISABLE' } } },
        ],
      }),
    ];
    const findings = findingsOf(meshdeckStrictTlsDisabled, objects);
    expect(summarize(findings)).toEqual(['MDK0005 DestinationRule tolls/gates spec.subsets[0].trafficPolicy.tls.mode']);
    expect(findings[0]!.message).toContain(
      'to gates subset north, but PeerAuthentication tolls/north-strict requires mTLS (STRICT) on pod tolls/gates-a port 8080:',
    );
  });

  it('is silent without STRICT, with ISTIO_MUTUAL, or when PeerAuthentications were not loaded', () => {
    const strict = pa('mesh-admin/default', { mtls: { mode: 'STRICT' } });
    expect(findingsOf(meshdeckStrictTlsDisabled, [mesh, ...workloads, dr({ trafficPolicy: { tls: { mode: 'DISABLE' } } })])).toEqual([]);
    expect(findingsOf(meshdeckStrictTlsDisabled, [mesh, ...workloads, strict, dr({ trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })])).toEqual([]);
    const unloaded = new Analysis([meshdeckStrictTlsDisabled], [mesh, ...workloads, dr({ trafficPolicy: { tls: { mode: 'DISABLE' } } })], {
      kinds: [K.Service, K.Pod, K.DestinationRule, K.ConfigMap],
    });
    expect(unloaded.findings()).toEqual([]);
  });
});
