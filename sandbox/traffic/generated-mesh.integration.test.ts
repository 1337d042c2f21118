// A generated mesh's traffic scraped by a real Prometheus (Debian's binary): every edge of the
// plan is there to query, external and TCP calls included.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedMesh, type WrittenMesh } from '../generate/mesh.ts';
import { startPrometheus } from '../prometheus.ts';
import { startSandbox, type Sandbox } from '../sandbox.ts';

let sandbox: Sandbox;
let mesh: WrittenMesh;
let prometheus: Awaited<ReturnType<typeof startPrometheus>>;

async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  expect(body.status).toBe('success');
  return body.data.result;
}
const scalar = async (promql: string) => Number((await query(promql))[0]?.value[1] ?? 0);

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdeck-gen-prom-'));
  mesh = writeGeneratedMesh(join(dir, 'mesh'), { workloads: 40, namespaces: 4, edges: 80, seed: 5 });
  sandbox = await startSandbox({ port: 0, kubeconfig: null, manifests: mesh.manifests, traffic: { scenario: mesh.scenario, port: 0 } });
  prometheus = await startPrometheus({
    dir: join(dir, 'prometheus'),
    target: new URL(sandbox.trafficUrl!).host,
    port: 19600 + Math.floor(Math.random() * 400),
    scrapeInterval: '1s',
  });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await sandbox?.stop();
});

describe('a generated mesh in a real Prometheus', () => {
  it('holds every workload edge of the plan, from the caller workload to the destination workload or host', async () => {
    // Caller → destination inside the mesh; the gateway's and the plaintext clients' edges are left out.
    const edges = `count(count by (source_workload_namespace, source_workload, destination_workload, destination_service) (
      istio_requests_total{source_workload!~"unknown|istio-ingressgateway"} or istio_tcp_connections_opened_total))`;
    await expect.poll(() => scalar(edges), { timeout: 30_000, interval: 1000 }).toBe(mesh.summary.edges);
  }, 40_000);

  it('has rates for external (caller-reported) and TCP calls', async () => {
    const host = (mesh.objects.find((o) => o.kind === 'ServiceEntry')!.spec as { hosts: string[] }).hosts[0]!;
    await expect
      .poll(() => scalar(`sum(rate(istio_requests_total{reporter="source",destination_service="${host}"}[10s]))`), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await scalar(`count(istio_requests_total{reporter="destination",destination_service="${host}"})`)).toBe(0);
    await expect.poll(() => scalar('sum(rate(istio_tcp_connections_opened_total{reporter="destination"}[10s]))'), { timeout: 15_000 }).toBeGreaterThan(0);
  }, 40_000);
});
