import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { telemetryLightstep, telemetryProviders } from './telemetry-providers';

const telemetry = (ref: string, accessLogging: unknown[], apiVersion = 'telemetry.istio.io/v1') => obj('Telemetry', ref, { accessLogging }, { apiVersion });
const mesh = (yaml: string) => obj('ConfigMap', 'istio-system/istio', undefined, { data: { mesh: yaml } });

describe('telemetry.provider', () => {
  it('reports access logging without providers while the mesh has no default access-log provider', () => {
    const findings = findingsOf(telemetryProviders, [
      mesh('extensionProviders:\n- name: otel-logs\n  envoyOtelAls: {service: collector.obs.svc.cluster.local, port: 4317}\n'),
      telemetry('mesh-control/logs', [{ filter: { expression: 'response.code >= 500' } }, { providers: [{ name: 'otel-logs' }] }]),
      telemetry('ledger/quiet', [{ disabled: true }], 'telemetry.istio.io/v1alpha1'),
    ]);
    expect(summarize(findings)).toEqual(['IST0157 Telemetry mesh-control/logs spec.accessLogging[0]']);
    expect(findings[0]!.message).toBe('The Telemetry logs in namespace "mesh-control" with empty providers will be ignored.');
  });

  it('is quiet when the mesh config has a default access-log provider', () => {
    const findings = findingsOf(telemetryProviders, [
      mesh('defaultProviders:\n  accessLogging: [envoy]\n'),
      telemetry('mesh-control/logs', [{ filter: { expression: 'response.code >= 500' } }]),
    ]);
    expect(findings).toEqual([]);
  });
});

describe('telemetry.lightstep', () => {
  it('reports tracing through a Lightstep provider of the mesh config, not through others', () => {
    const findings = findingsOf(telemetryLightstep, [
      mesh(
        'extensionProviders:\n- name: ls\n  lightstep: {service: ls.obs.svc.cluster.local, port: 8080}\n- name: otel\n  opentelemetry: {service: otel.obs.svc.cluster.local, port: 4317}\n',
      ),
      obj('Telemetry', 'mesh-control/tracing', { tracing: [{ providers: [{ name: 'otel' }, { name: 'ls' }] }] }, { apiVersion: 'telemetry.istio.io/v1alpha1' }),
      obj('Telemetry', 'ledger/tracing', { tracing: [{ providers: [{ name: 'otel' }] }] }),
    ]);
    expect(summarize(findings)).toEqual(['IST0002 Telemetry mesh-control/tracing spec.tracing[0].providers[1]']);
    expect(findings[0]!.message).toBe('Deprecated: The Lightstep provider ls is deprecated, please migrate to OpenTelemetry provider.');
  });
});
