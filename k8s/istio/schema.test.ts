import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CrdRegistry, loadCrdFiles } from '../../sandbox/schema/crd-registry.ts';
import { findObject, loadManifests, type ManifestObject } from './manifests.ts';

const crdDir = new URL('../../sandbox/crds/', import.meta.url).pathname;
const registry = new CrdRegistry(loadCrdFiles(readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).map((f) => join(crdDir, f))));
const builtIn = new Set(['v1', 'apps/v1']);
const manifests = loadManifests();
const custom = manifests.filter(({ object }) => !builtIn.has(object.apiVersion));

const clone = <T>(value: T): T => structuredClone(value);
const errorsOf = (object: ManifestObject) => registry.validate(object).errors.map((e) => e.message);

describe('k8s/istio against the Istio 1.30.3 CRD schemas', () => {
  it('has Istio, Prometheus Operator and Jaeger resources to check', () => {
    const kinds = new Set(custom.map(({ object }) => object.kind));
    expect([...kinds].sort()).toEqual(['AuthorizationPolicy', 'DestinationRule', 'EnvoyFilter', 'Gateway', 'Jaeger', 'PeerAuthentication', 'PrometheusRule', 'RequestAuthentication', 'Telemetry', 'VirtualService']);
  });

  it.each(custom.map(({ file, object }) => [`${file}: ${object.kind}/${object.metadata.name}`, object] as const))('%s is valid', (_name, object) => {
    expect(errorsOf(object)).toEqual([]);
  });

  it('uses only the stable Istio APIs (v1), EnvoyFilter aside (v1alpha3 is its only version)', () => {
    for (const { object } of custom.filter(({ object }) => object.apiVersion.includes('istio.io'))) {
      expect(object.apiVersion, `${object.kind}/${object.metadata.name}`).toBe(object.kind === 'EnvoyFilter' ? 'networking.istio.io/v1alpha3' : object.apiVersion.replace(/\/v1.*$/, '/v1'));
    }
  });
});

describe('the schema check catches mistakes', () => {
  const canary = findObject('VirtualService', 'nutrition-service-canary');

  it('rejects a weight that is not an integer, naming the field', () => {
    const broken = clone(canary);
    (broken.spec as { http: { route: { weight: unknown }[] }[] }).http[3]!.route[0]!.weight = 'abc';
    // As kube-apiserver words it (../shared/k8s-golden 17): the type is quoted, not the value, and CEL rules are skipped.
    expect(errorsOf(broken)).toEqual([expect.stringContaining('spec.http[3].route[0].weight: Invalid value: "string": spec.http[3].route[0].weight in body must be of type integer: "string"'), expect.stringContaining('some validation rules were not checked')]);
  });

  it('rejects an unknown field (kubectl strict field validation)', () => {
    const broken = clone(canary);
    (broken.spec as Record<string, unknown>).htpp = [];
    expect(errorsOf(broken)).toEqual(['unknown field "spec.htpp"']);
  });

  it('rejects an invalid duration through the CRD CEL rule', () => {
    const broken = clone(canary);
    (broken.spec as { http: { timeout: string }[] }).http[0]!.timeout = '10 parsecs';
    // As kube-apiserver words it (../shared/k8s-golden 22).
    expect(errorsOf(broken).join('\n')).toMatch(/spec\.http\[0\]\.timeout: Invalid value: "string": type conversion error from 'string' to 'google\.protobuf\.Duration' evaluating rule: must be a valid duration greater than 1ms/);
  });

  it('rejects a weight past int32 (Istio weights are int32; the schema does not cap them at 100)', () => {
    const broken = clone(canary);
    (broken.spec as { http: { route: { weight: number }[] }[] }).http[3]!.route[0]!.weight = 2 ** 31;
    expect(errorsOf(broken).join('\n')).toMatch(/weight/);
  });

  it('rejects an unknown mTLS mode with the supported values', () => {
    const broken = clone(findObject('PeerAuthentication', 'default'));
    (broken.spec as { mtls: { mode: string } }).mtls.mode = 'SOMETIMES';
    expect(errorsOf(broken).join('\n')).toContain('spec.mtls.mode: Unsupported value: "SOMETIMES": supported values: "UNSET", "DISABLE", "PERMISSIVE", "STRICT"');
  });

  it('rejects a DestinationRule with two load-balancer kinds at once (oneOf)', () => {
    const broken = clone(findObject('DestinationRule', 'nutrition-service'));
    (broken.spec as { trafficPolicy: { loadBalancer: Record<string, unknown> } }).trafficPolicy.loadBalancer.consistentHash = { httpHeaderName: 'x-user-id' };
    expect(errorsOf(broken).join('\n')).toMatch(/spec\.trafficPolicy\.loadBalancer.*oneOf/);
  });

  it('prunes a null set on a non-nullable field, as kube-apiserver does (the emergency bypass patch)', () => {
    const edge = clone(findObject('VirtualService', 'ai-nutritionist-traffic-management'));
    (edge.spec as { http: { fault: unknown }[] }).http[0]!.fault = null;
    const { object, errors } = registry.validate(edge);
    expect(errors).toEqual([]);
    expect((object.spec as { http: Record<string, unknown>[] }).http[0]).not.toHaveProperty('fault');
  });
});
