// `npm run analyze` as CI runs it: a subprocess (tsx, no Next), on files and on a sandbox
// whose objects kubectl wrote; exit codes for each threshold.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../sandbox/testing.ts';

// Each run starts Node and tsx: about a second on a quiet machine, several on a busy one.
vi.setConfig({ testTimeout: 120_000 });

const root = new URL('..', import.meta.url).pathname;
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}
function analyze(args: string[], env: Record<string, string> = {}, input = ''): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, join(root, 'scripts/analyze.ts'), ...args], {
      cwd: root,
      env: { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig', ...env },
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

interface Message {
  code: string;
  level: 'Error' | 'Warning' | 'Info';
  message: string;
  origin: string;
}
const LEVELS = ['Error', 'Warning', 'Info'] as const;

// A shop whose checkout route names a subset (v2) its DestinationRule does not define (v1, whose pod runs).
const shop = (subset: string) =>
  [
    'apiVersion: v1',
    'kind: Namespace',
    'metadata: {name: shop, labels: {istio-injection: enabled}}',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: checkout, namespace: shop}',
    'spec: {selector: {app: checkout}, ports: [{name: http, port: 8080}]}',
    '---',
    'apiVersion: networking.istio.io/v1beta1',
    'kind: DestinationRule',
    'metadata: {name: checkout, namespace: shop}',
    'spec:',
    '  host: checkout',
    '  subsets: [{name: v1, labels: {version: v1}}]',
    '---',
    'apiVersion: networking.istio.io/v1alpha3',
    'kind: VirtualService',
    'metadata: {name: checkout, namespace: shop}',
    'spec:',
    '  hosts: [checkout]',
    `  http: [{route: [{destination: {host: checkout, subset: ${subset}}}]}]`,
    '---',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: checkout-v1, namespace: shop, labels: {app: checkout, version: v1}}',
    'spec: {containers: [{name: checkout, image: registry.example/checkout:1.0}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.30.3}]}',
  ].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'meshdeck-analyze-cli-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const brokenShop = write('broken-shop.yaml', shop('v2'));
const fixedShop = write('fixed-shop.yaml', shop('v1'));
const fixedRoute = write('fixed-route.yaml', shop('v1').split('---').at(-2)!);

describe('npm run analyze (subprocess, files only)', () => {
  it('reports the route to an undefined subset, and exits by the failure threshold', async () => {
    const json = await analyze(['--use-kube=false', '-f', brokenShop, '-n', 'shop', '-o', 'json', '--failure-threshold', 'Info']);
    const messages = JSON.parse(json.stdout) as Message[];
    expect(messages).toContainEqual({
      code: 'IST0101',
      level: 'Error',
      message: 'Referenced host+subset in destinationrule not found: "checkout+v2"',
      origin: 'VirtualService shop/checkout',
      // istioctl's reference: the file, and the line of the field at fault.
      reference: `${brokenShop}:22`,
    });
    for (const message of messages) expect(Object.keys(message).sort()).toEqual(['code', 'level', 'message', 'origin', 'reference']);
    expect(json.code).toBe(79);

    for (const threshold of LEVELS) {
      const run = await analyze(['--use-kube=false', brokenShop, '-n', 'shop', '--failure-threshold', threshold]);
      const failing = messages.some((m) => LEVELS.indexOf(m.level) <= LEVELS.indexOf(threshold));
      expect({ threshold, code: run.code }).toEqual({ threshold, code: failing ? 79 : 0 });
      expect(run.stdout).toContain(
        `Error [IST0101] (VirtualService shop/checkout ${brokenShop}:22) Referenced host+subset in destinationrule not found: "checkout+v2"`,
      );
    }
    const yaml = await analyze(['--use-kube=false', brokenShop, '-n', 'shop', '-o', 'yaml']);
    expect(parse(yaml.stdout)).toEqual(messages);
  });

  it('exits 0 at the Error threshold once the subset exists, and says so when nothing is found', async () => {
    const errors = await analyze(['--use-kube=false', fixedShop, '-n', 'shop', '-o', 'json', '--output-threshold', 'Error']);
    expect(errors).toMatchObject({ code: 0, stdout: '[]\n' });
    const config = write('config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: b}\n');
    const clean = await analyze(['--use-kube=false', config, '-n', 'shop', '--failure-threshold', 'Info']);
    expect(clean).toMatchObject({ code: 0, stdout: '', stderr: `\u2714 No validation issues found when analyzing ${config}.\n` });
  });

  it('reads standard input, and exits 64 on bad flags and 65 on unparseable documents', async () => {
    const piped = await analyze(['--use-kube=false', '-', '-n', 'shop'], {}, shop('v3'));
    expect(piped.code).toBe(79);
    expect(piped.stdout).toContain('"checkout+v3"');
    expect((await analyze(['--failure-threshold', 'Severe'])).code).toBe(64);
    const broken = write('broken.yaml', 'apiVersion: v1\nkind: [oops\n');
    expect((await analyze(['--use-kube=false', broken])).code).toBe(65);
  });

  it('fails (exit 1) naming the problem when the cluster cannot be read', async () => {
    const run = await analyze(['-A']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('could not read the cluster: KUBECONFIG points at /nonexistent/kubeconfig, which does not exist');
  });
});

describe('npm run analyze (subprocess, against a sandbox)', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ manifests: null });
    const applied = await sandbox.kubectl(['apply', '-f', brokenShop]);
    expect(applied.stderr).toBe('');
    // More Services than one page of the CLI's paged lists (500).
    const bulk = Array.from({ length: 520 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${i}`, namespace: 'bulk' },
      spec: { ports: [{ name: 'http', port: 80 }] },
    }));
    const bulkFile = write('bulk.yaml', [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bulk' } }, ...bulk].map((o) => stringify(o)).join('---\n'));
    const created = await sandbox.kubectl(['apply', '-f', bulkFile]);
    expect(created.stderr).toBe('');
  }, 120_000);
  afterAll(async () => sandbox?.stop());

  const env = () => ({ KUBECONFIG: sandbox.kubeconfig });

  it('reads what kubectl wrote (paged), and names the kinds the sandbox does not serve', async () => {
    const run = await analyze(['-n', 'shop', '-o', 'json', '-v'], env());
    expect(run.code).toBe(79);
    expect(JSON.parse(run.stdout) as Message[]).toContainEqual(expect.objectContaining({ code: 'IST0101', origin: 'VirtualService shop/checkout' }));
    // Every kind called not served is one kubectl does not find either.
    const served = (await sandbox.kubectl(['api-resources', '--no-headers'])).stdout
      .trim()
      .split('\n')
      .map((line) => {
        const columns = line.trim().split(/\s+/);
        const [apiVersion, , kind] = columns.slice(-3); // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND
        return apiVersion!.includes('/') ? `${apiVersion!.split('/')[0]}/${kind}` : kind!;
      });
    const notServed = [...run.stderr.matchAll(/^Not loaded: (\S+) \(not served by the cluster\)/gm)].map((m) => m[1]!);
    expect(served).toContain('networking.istio.io/VirtualService');
    for (const kind of notServed) expect(served).not.toContain(kind);
    const analyzed = Number(/Analyzed (\d+) objects \(cluster context sandbox-admin\)/.exec(run.stderr)?.[1]);
    expect(analyzed).toBeGreaterThan(520);
  });

  it('overlays files on the cluster: the fixed route in a file replaces the broken one', async () => {
    const run = await analyze(['-n', 'shop', '-f', fixedRoute, '-o', 'json'], env());
    expect((JSON.parse(run.stdout) as Message[]).filter((m) => m.code === 'IST0101')).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('reads as the context it is given: the viewer may not list Secrets, which are then not loaded', async () => {
    const run = await analyze(['-n', 'shop', '--context', 'sandbox-viewer'], env());
    expect(run.stderr).toMatch(/Not loaded: Secret \(forbidden: /);
    expect(run.code).toBe(79);
  });

  it('follows kubectl changes: once the route is fixed in the cluster, exit 0 at the Error threshold', async () => {
    expect((await sandbox.kubectl(['apply', '-f', fixedShop])).status).toBe(0);
    const run = await analyze(['-n', 'shop'], env());
    expect(run.stdout).not.toContain('IST0101');
    expect(run.code).toBe(0);
    const nowhere = await analyze(['-n', 'nowhere'], env());
    expect(nowhere).toMatchObject({ code: 0, stdout: '' });
    expect(nowhere.stderr).toContain('namespace "nowhere" not found\n');
  });
});
