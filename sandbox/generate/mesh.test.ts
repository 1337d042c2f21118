import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/store.ts';
import { generateMesh, GENERATED_GATEWAY, parseMeshSpec, type GeneratedMesh } from './mesh.ts';

const size = { workloads: 300, namespaces: 12, edges: 900, seed: 7 };
const mesh = generateMesh(size);

const ofKind = (m: GeneratedMesh, kind: string) => m.objects.filter((o) => o.kind === kind);
const specOf = <T>(o: KubeObject) => o.spec as T;

/** Service key ("ns/name") → its versions, from the Deployments. */
function versionsByService(m: GeneratedMesh): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of ofKind(m, 'Deployment')) {
    const labels = d.metadata.labels as { app: string; version: string };
    const key = `${d.metadata.namespace}/${labels.app}`;
    out.set(key, [...(out.get(key) ?? []), labels.version]);
  }
  return out;
}

describe('generateMesh', () => {
  it('is deterministic for a seed, and another seed makes another mesh', () => {
    expect(JSON.stringify(generateMesh(size))).toBe(JSON.stringify(mesh));
    expect(JSON.stringify(generateMesh({ ...size, seed: 8 }).scenario.calls)).not.toBe(JSON.stringify(mesh.scenario.calls));
  });

  it('has the namespaces, workloads and workload edges asked for', () => {
    expect(ofKind(mesh, 'Namespace').map((n) => n.metadata.name)).toHaveLength(12);
    expect(ofKind(mesh, 'Namespace').every((n) => n.metadata.labels?.['istio-injection'] === 'enabled')).toBe(true);
    expect(ofKind(mesh, 'Deployment')).toHaveLength(300);
    const versions = versionsByService(mesh);
    expect(new Set(ofKind(mesh, 'Service').map((s) => `${s.metadata.namespace}/${s.metadata.name}`))).toEqual(new Set(versions.keys()));
    expect([...versions.values()].every((v) => v.length >= 1 && v.length <= 3)).toBe(true);
    // Workload edges, counted from the objects and the scenario: caller versions × destination versions (1 for a host outside).
    let edges = 0;
    for (const [caller, calls] of Object.entries(mesh.scenario.calls))
      for (const call of calls) edges += versions.get(caller)!.length * (versions.get(call.service)?.length ?? 1);
    expect(edges).toBe(mesh.summary.edges);
    expect(edges).toBe(900);
    expect(new Set(ofKind(mesh, 'Deployment').map((d) => d.metadata.namespace)).size).toBe(12);
  });

  it('calls form a DAG reaching every service and external host from the gateway or a plaintext client, across namespaces', () => {
    const routes = ofKind(mesh, 'VirtualService').filter((vs) => specOf<{ gateways?: string[] }>(vs).gateways?.length);
    const entries = routes.map((vs) => {
      const spec = specOf<{ hosts: string[]; http: { match: { uri: { prefix: string } }[]; route: { destination: { host: string } }[] }[] }>(vs);
      expect(spec.hosts).toEqual([GENERATED_GATEWAY.host]);
      const host = spec.http[0]!.route[0]!.destination.host;
      expect(spec.http[0]!.match[0]!.uri.prefix).toBe(`/${vs.metadata.namespace}/${host.split('.')[0]}/`);
      return `${host.split('.')[1]}/${host.split('.')[0]}`;
    });
    expect(
      Object.keys(mesh.scenario.paths)
        .map((p) => p.slice(1))
        .sort(),
    ).toEqual([...entries].sort());
    const roots = [...entries, ...mesh.scenario.plaintextClients!.map((c) => c.service)];
    const reached = new Set<string>();
    const visit = (node: string) => {
      if (reached.has(node)) return;
      reached.add(node);
      for (const call of mesh.scenario.calls[node] ?? []) visit(call.service);
    };
    roots.forEach(visit);
    const externals = ofKind(mesh, 'ServiceEntry').flatMap((se) => specOf<{ hosts: string[] }>(se).hosts);
    expect(externals.length).toBeGreaterThan(0);
    for (const node of [...versionsByService(mesh).keys(), ...externals]) expect(reached, node).toContain(node);
    // No cycles: a depth-first search never meets a node on its own path.
    const onPath = new Set<string>();
    const done = new Set<string>();
    const acyclic = (node: string): boolean => {
      if (onPath.has(node)) return false;
      if (done.has(node)) return true;
      onPath.add(node);
      const ok = (mesh.scenario.calls[node] ?? []).every((c) => acyclic(c.service));
      onPath.delete(node);
      done.add(node);
      return ok;
    };
    expect(Object.keys(mesh.scenario.calls).every(acyclic)).toBe(true);
    const calls = Object.entries(mesh.scenario.calls).flatMap(([from, list]) => list.map((c) => ({ from, ...c })));
    expect(calls.some((c) => c.service.includes('/') && c.service.split('/')[0] !== c.from.split('/')[0])).toBe(true);
    expect(calls.every((c) => c.probability === undefined || (c.probability > 0 && c.probability < 1))).toBe(true);
  });

  it('splits multi-version services by weight with subsets, with breakers, failures, TCP, gRPC and plaintext clients', () => {
    const versions = versionsByService(mesh);
    const multi = [...versions].filter(([, v]) => v.length > 1);
    const vsByKey = new Map(ofKind(mesh, 'VirtualService').map((vs) => [`${vs.metadata.namespace}/${vs.metadata.name}`, vs]));
    const drByKey = new Map(ofKind(mesh, 'DestinationRule').map((dr) => [`${dr.metadata.namespace}/${dr.metadata.name}`, dr]));
    for (const [key, v] of multi) {
      const dr = specOf<{ subsets: { name: string }[] }>(drByKey.get(key)!);
      expect(dr.subsets.map((s) => s.name)).toEqual(v);
      if (key.split('/')[1]!.startsWith('db-')) continue; // TCP: no HTTP split
      const split = specOf<{ http: { route: { weight: number }[] }[] }>(vsByKey.get(key)!).http[0]!.route;
      expect(split.reduce((sum, r) => sum + r.weight, 0)).toBe(100);
      expect(Math.min(...split.map((r) => r.weight))).toBeGreaterThanOrEqual(20);
    }
    expect([...drByKey.values()].some((dr) => specOf<{ trafficPolicy?: { outlierDetection?: unknown } }>(dr).trafficPolicy?.outlierDetection)).toBe(true);
    const failing = Object.values(mesh.scenario.versions).flatMap((v) => Object.values(v).filter((b) => b.errorRate > 0.01));
    expect(failing.length).toBeGreaterThan(0);
    const ports = ofKind(mesh, 'Service').map((s) => specOf<{ ports: { appProtocol: string }[] }>(s).ports[0]!.appProtocol);
    expect(ports).toContain('tcp');
    expect(ports).toContain('grpc');
    // Databases are leaves, and namespaces that plaintext clients reach are PERMISSIVE.
    expect(Object.keys(mesh.scenario.calls).some((k) => k.split('/')[1]!.startsWith('db-'))).toBe(false);
    const permissive = ofKind(mesh, 'PeerAuthentication')
      .filter((pa) => specOf<{ mtls: { mode: string } }>(pa).mtls.mode === 'PERMISSIVE')
      .map((pa) => pa.metadata.namespace);
    expect(mesh.scenario.plaintextClients!.length).toBeGreaterThan(0);
    for (const client of mesh.scenario.plaintextClients!) expect(permissive).toContain(client.service.split('/')[0]);
  });

  it('reads the --generate-mesh value and rejects unknown or non-numeric settings', () => {
    expect(parseMeshSpec('workloads=100,namespaces=5,edges=200,seed=3')).toEqual({ workloads: 100, namespaces: 5, edges: 200, seed: 3 });
    expect(parseMeshSpec('')).toEqual({ namespaces: 50, workloads: 1000, edges: 3000, seed: 1 });
    expect(() => parseMeshSpec('services=10')).toThrow(/unknown setting "services"/);
    expect(() => parseMeshSpec('edges=many')).toThrow(/edges needs a number/);
    expect(() => generateMesh({ workloads: 3, namespaces: 10, edges: 5 })).toThrow(/fewer than 10 namespaces/);
  });
});
