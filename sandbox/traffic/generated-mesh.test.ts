// The simulator over a generated mesh: cross-namespace, external (ServiceEntry), TCP and gRPC
// calls and plaintext clients leave Istio's metrics with the right reporters and labels.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedMesh, type WrittenMesh } from '../generate/mesh.ts';
import { startSandbox, type Sandbox } from '../sandbox.ts';
import { DURATION_BUCKETS, SIZE_BUCKETS } from './metrics.ts';
import { canonicalNames, histogramBuckets, portProtocol, TrafficSimulator } from './simulator.ts';

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

let sandbox: Sandbox;
let mesh: WrittenMesh;
let series: Series[];

function parse(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const named = (name: string, where: Record<string, string> = {}) =>
  series.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));

beforeAll(async () => {
  mesh = writeGeneratedMesh(mkdtempSync(join(tmpdir(), 'meshdeck-gen-')), { workloads: 40, namespaces: 4, edges: 80, seed: 3 });
  sandbox = await startSandbox({ port: 0, kubeconfig: null, manifests: mesh.manifests });
  let s = 11;
  const sim = new TrafficSimulator({
    store: sandbox.store,
    registry: sandbox.registry,
    scenario: mesh.scenario,
    random: () => (s = (s * 16807) % 2147483647) / 2147483647,
  });
  let now = Date.now();
  sim.tick(now);
  for (let i = 0; i < 600; i++) sim.tick((now += 100)); // one minute
  series = parse(sim.metrics.text());
  sim.stop();
}, 60_000);
afterAll(async () => sandbox?.stop());

describe('traffic over a generated mesh', () => {
  it('puts traffic on every workload edge of the plan within a minute', () => {
    const versions = new Map<string, string[]>();
    for (const [service, v] of Object.entries(mesh.scenario.versions)) versions.set(service, Object.keys(v));
    const seen = new Set<string>();
    for (const s of series) {
      if (s.name !== 'istio_requests_total' && s.name !== 'istio_tcp_connections_opened_total') continue;
      const to = s.labels.destination_workload === 'unknown' ? s.labels.destination_service : s.labels.destination_workload;
      seen.add(`${s.labels.source_workload_namespace}/${s.labels.source_workload}>${to}`);
    }
    const missing: string[] = [];
    for (const [caller, calls] of Object.entries(mesh.scenario.calls)) {
      const [ns, app] = caller.split('/');
      for (const call of calls) {
        // A service's workloads are "<name>-<version>"; a host outside the mesh is its own destination.
        const target = call.service.includes('/') ? versions.get(call.service)!.map((v) => `${call.service.split('/')[1]}-${v}`) : [call.service];
        for (const v of versions.get(caller)!) for (const t of target) if (!seen.has(`${ns}/${app}-${v}>${t}`)) missing.push(`${ns}/${app}-${v}>${t}`);
      }
    }
    expect(missing).toEqual([]);
    expect(mesh.summary.edges).toBe(80);
  });

  it('reports cross-namespace calls from both sidecars with canonical names, principals and the cluster', () => {
    const cross = named('istio_requests_total', { reporter: 'destination', connection_security_policy: 'mutual_tls' }).filter(
      (s) => s.labels.source_workload_namespace !== s.labels.destination_service_namespace && s.labels.source_workload !== 'istio-ingressgateway',
    );
    expect(cross.length).toBeGreaterThan(0);
    const edge = cross[0]!.labels;
    expect(edge.destination_canonical_service).toBe(edge.destination_app);
    expect(edge.destination_canonical_revision).toBe(edge.destination_version);
    expect(edge.source_canonical_service).toBe(edge.source_app);
    expect(edge.source_principal).toBe(`spiffe://cluster.local/ns/${edge.source_workload_namespace}/sa/${edge.source_app}`);
    expect(edge.destination_principal).toBe(`spiffe://cluster.local/ns/${edge.destination_service_namespace}/sa/${edge.destination_app}`);
    expect(edge.source_cluster).toBe('Kubernetes');
    expect(edge.destination_cluster).toBe('Kubernetes');
    expect(edge.user_tier).toBeUndefined(); // the generated scenario keeps series lean
    const source = named('istio_requests_total', {
      reporter: 'source',
      source_workload: edge.source_workload!,
      destination_workload: edge.destination_workload!,
    });
    expect(source.length).toBeGreaterThan(0);
    expect(source[0]!.labels.connection_security_policy).toBe('unknown');
    expect(named('istio_request_duration_milliseconds_count', { reporter: 'destination' }).length).toBeGreaterThan(0);
    expect(named('istio_request_bytes_count')).toEqual([]);
    // The generated pods ask their proxies for 11 duration buckets (sidecar.istio.io/statsHistogramBuckets).
    const buckets = named('istio_request_duration_milliseconds_bucket', { reporter: 'destination', destination_workload: edge.destination_workload! });
    expect(new Set(buckets.map((b) => b.labels.le))).toEqual(new Set(['5', '10', '25', '50', '100', '250', '500', '1000', '2500', '5000', '10000', '+Inf']));
  });

  it('reports calls to ServiceEntry hosts from the caller only, with the host as the destination service', () => {
    const entry = mesh.objects.find((o) => o.kind === 'ServiceEntry')!;
    const host = (entry.spec as { hosts: string[] }).hosts[0]!;
    const calls = named('istio_requests_total', { destination_service: host });
    expect(calls.length).toBeGreaterThan(0);
    for (const { labels } of calls) {
      expect(labels).toMatchObject({
        reporter: 'source',
        destination_workload: 'unknown',
        destination_canonical_service: 'unknown',
        destination_service_name: host,
        destination_service_namespace: entry.metadata.namespace,
        destination_principal: 'unknown',
        connection_security_policy: 'unknown',
      });
    }
  });

  it('reports TCP services with istio_tcp_* from both sidecars and no request metrics', () => {
    const opened = named('istio_tcp_connections_opened_total');
    expect(opened.length).toBeGreaterThan(0);
    const db = opened[0]!.labels.destination_service_name!;
    expect(new Set(named('istio_tcp_connections_opened_total', { destination_service_name: db }).map((s) => s.labels.reporter))).toEqual(
      new Set(['source', 'destination']),
    );
    expect(opened.every((s) => s.labels.request_protocol === 'tcp')).toBe(true);
    expect(named('istio_tcp_sent_bytes_total', { destination_service_name: db }).some((s) => s.value > 0)).toBe(true);
    expect(named('istio_tcp_received_bytes_total', { destination_service_name: db }).some((s) => s.value > 0)).toBe(true);
    expect(named('istio_tcp_connections_closed_total', { destination_service_name: db }).length).toBeGreaterThan(0);
    expect(named('istio_requests_total', { destination_service_name: db })).toEqual([]);
  });

  it('labels gRPC services request_protocol="grpc" with a grpc_response_status', () => {
    const grpc = named('istio_requests_total', { request_protocol: 'grpc' });
    expect(grpc.length).toBeGreaterThan(0);
    expect(grpc.every((s) => s.labels.destination_service_name!.startsWith('svc-') && s.labels.grpc_response_status !== undefined)).toBe(true);
  });

  it('sees plaintext clients only at the destination, as "unknown" without mTLS', () => {
    const client = mesh.scenario.plaintextClients![0]!;
    const [namespace, service] = client.service.split('/');
    const plain = named('istio_requests_total', { source_workload: 'unknown', destination_service_name: service!, destination_service_namespace: namespace! });
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((s) => s.labels.reporter === 'destination' && s.labels.connection_security_policy === 'none')).toBe(true);
    expect(plain.every((s) => s.labels.source_principal === 'unknown' && s.labels.destination_principal === 'unknown')).toBe(true);
  });
});

describe("Istio's naming rules", () => {
  it('takes the canonical labels, else app/version, else the workload name and "latest"', () => {
    expect(canonicalNames({ 'service.istio.io/canonical-name': 'c', 'service.istio.io/canonical-revision': 'r', app: 'a', version: 'v' }, 'w')).toEqual({
      service: 'c',
      revision: 'r',
    });
    expect(canonicalNames({ 'app.kubernetes.io/name': 'k', app: 'a', version: 'v' }, 'w')).toEqual({ service: 'k', revision: 'v' });
    expect(canonicalNames({ app: 'a' }, 'w')).toEqual({ service: 'a', revision: 'latest' });
    expect(canonicalNames(undefined, 'w')).toEqual({ service: 'w', revision: 'latest' });
  });

  it("reads a proxy's histogram buckets from its pod's annotation, the longest stat prefix first", () => {
    expect(histogramBuckets(undefined).duration).toBe(DURATION_BUCKETS);
    const both = histogramBuckets(
      JSON.stringify({ istiocustom: [10, 1], 'istiocustom.istio_request_duration_milliseconds': [5, 50], 'cluster.xds-grpc': [2] }),
    );
    expect(both).toEqual({ duration: [5, 50], requestBytes: [1, 10], responseBytes: [1, 10] });
    expect(histogramBuckets('{not json').requestBytes).toBe(SIZE_BUCKETS);
  });

  it('reads a port protocol from appProtocol, else the name prefix', () => {
    expect(portProtocol({ name: 'http', appProtocol: 'grpc' })).toBe('grpc');
    expect(portProtocol({ name: 'grpc-web' })).toBe('grpc');
    expect(portProtocol({ name: 'tcp-postgres' })).toBe('tcp');
    expect(portProtocol({ name: 'mongo' })).toBe('tcp');
    expect(portProtocol({ name: 'web' })).toBe('http');
    expect(portProtocol(undefined)).toBe('http');
  });
});
