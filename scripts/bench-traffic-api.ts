// `npm run bench:traffic-api`: the Traffic page's API on a large mesh. A sandbox with 2,000
// VirtualServices and 2,000 DestinationRules in 200 namespaces, the production dashboard in
// front of it; measures GET /api/traffic (one namespace, and all) and Apply → visible.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { check, fetchOk, ms, percentile, report, signIn, sized, sleep, startDashboard, startSandbox, tempDir, within } from './bench-support.ts';

const NAMESPACES = sized(200, 10);
const PER_NAMESPACE = 10;
const [ONE_NAMESPACE_GETS, ALL_GETS, APPLY_ROUNDS] = sized([300, 20, 30], [30, 5, 5]);

function manifests(dir: string) {
  const docs: unknown[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `bench-${n}`;
    docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (let i = 0; i < PER_NAMESPACE; i++) {
      const host = `svc-${i}`;
      docs.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: host, namespace: ns },
        spec: {
          host,
          subsets: [
            { name: 'stable', labels: { version: 'stable' } },
            { name: 'canary', labels: { version: 'canary' } },
          ],
        },
      });
      docs.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: host, namespace: ns },
        spec: {
          hosts: [host],
          http: [
            { name: 'beta', match: [{ headers: { 'x-user-tier': { exact: 'beta' } } }], route: [{ destination: { host, subset: 'canary' } }], timeout: '30s' },
            {
              name: 'default',
              route: [
                { destination: { host, subset: 'stable' }, weight: 90 },
                { destination: { host, subset: 'canary' }, weight: 10 },
              ],
              retries: { attempts: 2 },
            },
          ],
        },
      });
    }
  }
  writeFileSync(join(dir, 'mesh.yaml'), docs.map((d) => stringify(d)).join('---\n'));
}

const dir = tempDir('traffic-api');
manifests(dir);
const sandbox = await startSandbox(dir, ['--manifests', dir]);
const { base } = await startDashboard({ KUBECONFIG: sandbox.kubeconfig, MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard' });
const cookie = await signIn(base, 'operator');
type View = { items: { name: string; resourceVersion: string; routes: { destinations: { weight: number }[] }[] }[] };
const get = async (query: string) => (await (await fetchOk(`${base}/api/traffic${query}`, { headers: { cookie } })).json()) as View;

const first = performance.now();
const all = await get('');
console.info(`bench: ${all.items.length} VirtualServices; first request (fills the watch caches) ${ms(performance.now() - first)}`);
check(all.items.length === NAMESPACES * PER_NAMESPACE, `GET /api/traffic listed ${all.items.length} VirtualServices, not ${NAMESPACES * PER_NAMESPACE}`);

const oneNamespace: number[] = [];
for (let i = 0; i < ONE_NAMESPACE_GETS; i++) {
  const t = performance.now();
  const { items } = await get(`?namespace=bench-${(i * 7) % NAMESPACES}`);
  oneNamespace.push(performance.now() - t);
  check(items.length === PER_NAMESPACE, `GET /api/traffic?namespace=… listed ${items.length} VirtualServices, not ${PER_NAMESPACE}`);
}
const allNamespaces: number[] = [];
let bytes = 0;
for (let i = 0; i < ALL_GETS; i++) {
  const t = performance.now();
  const response = await fetchOk(`${base}/api/traffic`, { headers: { cookie } });
  bytes = (await response.text()).length;
  allNamespaces.push(performance.now() - t);
}

const applyToVisible: number[] = [];
for (let round = 0; round < APPLY_ROUNDS; round++) {
  const ns = `bench-${(round * 13) % NAMESPACES}`;
  const name = `svc-${round % PER_NAMESPACE}`;
  const vs = (await get(`?namespace=${ns}`)).items.find((v) => v.name === name);
  check(vs, `${ns}/${name} is missing from GET /api/traffic`);
  const canary = vs.routes[1]!.destinations[1]!.weight === 10 ? 30 : 10;
  const t = performance.now();
  await fetchOk(`${base}/api/traffic/${ns}/${name}/routes/1/weights`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie, origin: base },
    body: JSON.stringify({
      resourceVersion: vs.resourceVersion,
      reason: 'bench: canary shift',
      weights: [
        { host: name, subset: 'stable', weight: 100 - canary },
        { host: name, subset: 'canary', weight: canary },
      ],
    }),
  });
  await within(
    30,
    `the applied weights of ${ns}/${name} showing in GET /api/traffic`,
    (async () => {
      for (;;) {
        const now = (await get(`?namespace=${ns}`)).items.find((v) => v.name === name);
        if (now?.routes[1]?.destinations[1]?.weight === canary) return;
        await sleep(5);
      }
    })(),
  );
  applyToVisible.push(performance.now() - t);
}

console.info(`GET /api/traffic?namespace=… (10 VirtualServices): p50 ${ms(percentile(oneNamespace, 50))}, p95 ${ms(percentile(oneNamespace, 95))}`);
console.info(
  `GET /api/traffic (all ${all.items.length}, ${(bytes / 1e6).toFixed(1)} MB): p50 ${ms(percentile(allNamespaces, 50))}, p95 ${ms(percentile(allNamespaces, 95))}`,
);
console.info(
  `Apply → visible in the API (watch-backed cache): p50 ${ms(percentile(applyToVisible, 50))}, p95 ${ms(percentile(applyToVisible, 95))}; the event stream pushes it to the page about 0.2 s later`,
);
report({
  virtualServices: all.items.length,
  oneNamespace: { p50: percentile(oneNamespace, 50), p95: percentile(oneNamespace, 95) },
  allNamespaces: { p50: percentile(allNamespaces, 50), p95: percentile(allNamespaces, 95), bytes },
  applyToVisible: { p50: percentile(applyToVisible, 50), p95: percentile(applyToVisible, 95) },
});
process.exit(0);
