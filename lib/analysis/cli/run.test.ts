import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { K } from '../kinds';
import { meshConfig } from '../mesh-config';
import { obj } from '../testing';
import type { AnalysisObject, Analyzer } from '../types';
import type { ClusterRead } from './cluster';
import { runAnalyze } from './run';

// Analyzers of this test's own: one finding per level, and one that needs Secrets to have been read.
const testAnalyzers: Analyzer[] = [
  {
    id: 'test.routes',
    description: 'Routes marked broken or unbalanced',
    kinds: [K.VirtualService],
    codes: ['IST0101', 'MDK0002'],
    check(vs, context) {
      const spec = vs.spec as { broken?: boolean; weights?: number[] } | undefined;
      if (spec?.broken)
        context.report('IST0101', 'Referenced host+subset in destinationrule not found: "web+v9"', { path: 'spec.http[0].route[0].destination.subset' });
      if (spec?.weights) context.report('MDK0002', `Weights sum to ${spec.weights.reduce((a, b) => a + b, 0)}`);
    },
  },
  {
    id: 'test.namespaces',
    description: 'Namespaces without injection',
    kinds: [K.Namespace],
    codes: ['IST0102'],
    check(namespace, context) {
      if (!namespace.metadata.labels?.['istio-injection']) context.report('IST0102', 'The namespace is not enabled for Istio injection.');
    },
  },
  {
    id: 'test.telemetry',
    description: 'Telemetry providers the mesh config declares',
    kinds: [K.Telemetry],
    codes: ['IST0157'],
    check(telemetry, context) {
      const names = (telemetry.spec as { tracing?: { providers?: { name: string }[] }[] }).tracing?.flatMap((t) => t.providers ?? []) ?? [];
      for (const { name } of names)
        if (!meshConfig(context).extensionProviders.includes(name)) context.report('IST0157', `Provider ${name} is not in the mesh config`);
    },
  },
  {
    id: 'test.secrets',
    description: 'Gateway credentials',
    kinds: [K.Gateway],
    codes: ['IST0161'],
    check(gateway, context) {
      if (context.available(K.Secret) && !context.get(K.Secret, gateway.metadata.namespace, 'tls')) context.report('IST0161', 'Credential not found');
    },
  },
];

function tempFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshdeck-analyze-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function run(argv: string[], cluster?: ClusterRead | Error, stdin = '') {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let clusterReads = 0;
  const code = await runAnalyze(argv, {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    readStdin: async () => stdin,
    async readCluster() {
      clusterReads++;
      if (!cluster) throw new Error('no cluster in this test');
      if (cluster instanceof Error) throw cluster;
      return cluster;
    },
    analyzers: testAnalyzers,
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n'), clusterReads };
}

const yaml = (object: AnalysisObject) => JSON.stringify(object);
const broken = obj('VirtualService', 'shop/web', { broken: true });
const unbalanced = obj('VirtualService', 'shop/cart', { weights: [60, 30] });
const bareNamespace = obj('Namespace', 'shop');

describe('npm run analyze, in process', () => {
  it('analyzes files only with --use-kube=false, exit code following --failure-threshold', async () => {
    const dir = tempFiles({ 'mesh.yaml': [broken, unbalanced, bareNamespace].map(yaml).join('\n---\n'), 'notes.txt': 'not config' });
    const argv = ['--use-kube=false', '-f', dir, '-A'];
    const errors = await run(argv);
    expect(errors.clusterReads).toBe(0);
    expect(errors.code).toBe(79);
    // Objects from files carry their file (and line, for YAML) as istioctl's references do.
    const file = join(dir, 'mesh.yaml');
    expect(errors.stdout.split('\n')).toEqual([
      `Error [IST0101] (VirtualService shop/web ${file}) Referenced host+subset in destinationrule not found: "web+v9"`,
      `Warning [MDK0002] (VirtualService shop/cart ${file}) Weights sum to 90`,
      `Info [IST0102] (Namespace shop ${file}) The namespace is not enabled for Istio injection.`,
    ]);
    expect(errors.stderr).toContain(`Skipping file ${join(dir, 'notes.txt')}, recognized file extensions are: [.json .yaml .yml]`);

    const onlyWarning = tempFiles({ 'mesh.yaml': [unbalanced, bareNamespace].map(yaml).join('\n---\n') });
    const at = async (threshold: string) => (await run(['--use-kube=false', onlyWarning, '-A', '--failure-threshold', threshold])).code;
    expect([await at('Error'), await at('Warning'), await at('Info')]).toEqual([0, 79, 79]);
    const onlyInfo = tempFiles({ 'ns.json': yaml(bareNamespace) });
    expect((await run(['--use-kube=false', onlyInfo, '-A', '--failure-threshold', 'Warning'])).code).toBe(0);
    expect((await run(['--use-kube=false', onlyInfo, '-A', '--failure-threshold', 'Info'])).code).toBe(79);
  });

  it('prints at or above --output-threshold, while the exit code still counts what it hides', async () => {
    const dir = tempFiles({ 'mesh.yaml': [unbalanced, bareNamespace].map(yaml).join('\n---\n') });
    const result = await run(['--use-kube=false', dir, '-A', '--output-threshold', 'Error', '--failure-threshold', 'Warning', '-o', 'json']);
    expect(result.stdout).toBe('[]');
    expect(result.code).toBe(79);
  });

  it('reports on -n (objects in files without a namespace take it), suppressions leave findings out', async () => {
    const dir = tempFiles({
      'a.yaml': 'apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: web}\nspec: {broken: true}\n',
      'b.yaml': yaml(obj('VirtualService', 'lab/web', { broken: true })),
    });
    const shop = await run(['--use-kube=false', dir, '-n', 'shop', '-o', 'json']);
    expect(JSON.parse(shop.stdout)).toEqual([
      {
        code: 'IST0101',
        level: 'Error',
        message: 'Referenced host+subset in destinationrule not found: "web+v9"',
        origin: 'VirtualService shop/web',
        reference: `${join(dir, 'a.yaml')}:4`,
      },
    ]);
    const defaulted = await run(['--use-kube=false', dir, '-o', 'yaml']);
    expect(defaulted.stdout).toContain('origin: VirtualService default/web');
    const suppressed = await run(['--use-kube=false', dir, '-A', '-S', 'IST0101=VirtualService */web']);
    expect(suppressed).toMatchObject({ code: 0, stdout: '' });
    expect(suppressed.stderr).toContain(`\u2714 No validation issues found when analyzing ${join(dir, 'a.yaml')}\n${join(dir, 'b.yaml')}.`);
  });

  it('reads standard input for -', async () => {
    const result = await run(['--use-kube=false', '-', '-A'], undefined, `${yaml(broken)}\n`);
    expect(result.code).toBe(79);
    expect(result.stdout).toContain('(VirtualService shop/web -)');
  });

  it("points at the line of the field a finding names, in YAML files and List items (the object's line when the field is not there)", async () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: networking.istio.io/v1',
      '    kind: VirtualService',
      '    metadata: {name: web, namespace: shop}',
      '    spec:',
      '      broken: true',
      '      http:',
      '        - route:',
      '            - destination:',
      '                host: web',
      '                subset: v9',
      '---',
      'apiVersion: networking.istio.io/v1',
      'kind: VirtualService',
      'metadata: {name: cart, namespace: shop}',
      'spec: {weights: [60, 30]}',
    ].join('\n');
    const dir = tempFiles({ 'list.yaml': text });
    const result = await run(['--use-kube=false', dir, '-A', '-o', 'json']);
    const references = (JSON.parse(result.stdout) as { origin: string; reference: string }[]).map((m) => `${m.origin} ${m.reference}`);
    expect(references).toEqual([`VirtualService shop/web ${join(dir, 'list.yaml')}:13`, `VirtualService shop/cart ${join(dir, 'list.yaml')}:15`]);
  });

  it('overlays files on the cluster, passes the kinds it could read, and names those it could not', async () => {
    const cluster: ClusterRead = {
      objects: [broken, obj('Gateway', 'shop/edge'), obj('Namespace', 'shop', undefined, { metadata: { labels: { 'istio-injection': 'enabled' } } })],
      loaded: [K.VirtualService, K.Gateway, K.Namespace],
      notLoaded: [{ kind: K.Secret, forbidden: true, reason: 'forbidden: secrets is forbidden' }],
      context: 'ci',
      contextNamespace: 'shop',
    };
    const before = await run([], cluster);
    expect(before.code).toBe(79);
    expect(before.stdout).toBe('Error [IST0101] (VirtualService shop/web) Referenced host+subset in destinationrule not found: "web+v9"');
    // Secrets were not read: the credential check stays silent instead of calling the secret missing.
    expect(before.stderr).toContain('Not loaded: Secret (forbidden: secrets is forbidden); findings that need it are left out.');

    const fix = tempFiles({ 'web.yaml': 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web}\nspec: {}\n' });
    const after = await run(['-f', fix], cluster);
    expect(after).toMatchObject({ code: 0, stdout: '' });

    // A Secret in the files does not make a forbidden kind readable: the cluster may hold the credential.
    const secretFile = tempFiles({ 'other.yaml': yaml(obj('Secret', 'shop/other')) });
    expect((await run(['-f', secretFile, '-o', 'json'], cluster)).stdout).not.toContain('IST0161');
    // A kind the cluster does not serve at all has only the files' objects: now the missing credential is a finding.
    const unserved: ClusterRead = { ...cluster, notLoaded: [{ kind: K.Secret, forbidden: false, reason: 'not served by the cluster' }] };
    expect((await run(['-f', secretFile, '-o', 'json'], unserved)).stdout).toContain('"code": "IST0161"');
  });

  it('says a namespace is not found, as istioctl does (exit 0)', async () => {
    const cluster: ClusterRead = { objects: [bareNamespace], loaded: [K.Namespace], notLoaded: [], context: 'ci' };
    expect(await run(['-n', 'nowhere'], cluster)).toMatchObject({ code: 0, stderr: 'namespace "nowhere" not found' });
  });

  it('exits 64 on bad flags, 65 on unparseable documents (unless --ignore-unknown), 1 when the cluster or a file cannot be read', async () => {
    expect((await run(['--output-threshold', 'Loud'])).code).toBe(64);
    const bad = tempFiles({ 'bad.yaml': 'kind: [unclosed\n' });
    const parsed = await run(['--use-kube=false', bad, '-A']);
    expect(parsed.code).toBe(65);
    expect(parsed.stderr).toContain('Error(s) adding files:');
    expect((await run(['--use-kube=false', bad, '-A', '--ignore-unknown'])).code).toBe(0);
    const unreachable = await run(['-A'], new Error('connect ECONNREFUSED 127.0.0.1:6443'));
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('could not read the cluster: connect ECONNREFUSED 127.0.0.1:6443');
    expect((await run(['--use-kube=false', '/nonexistent/mesh.yaml'])).code).toBe(1);
  });

  it("analyzes with --meshConfigFile's mesh config instead of the cluster's or the files'", async () => {
    const telemetry = obj('Telemetry', 'shop/traces', { tracing: [{ providers: [{ name: 'zipkin' }] }] });
    const dir = tempFiles({
      'telemetry.yaml': yaml(telemetry),
      'mesh.yaml': 'extensionProviders:\n  - name: zipkin\n    zipkin: {service: zipkin.tracing, port: 9411}\n',
    });
    const without = await run(['--use-kube=false', join(dir, 'telemetry.yaml'), '-A']);
    expect(without.stdout).toContain('Provider zipkin is not in the mesh config');
    const withMesh = await run(['--use-kube=false', join(dir, 'telemetry.yaml'), '-A', '--meshConfigFile', join(dir, 'mesh.yaml')]);
    expect(withMesh).toMatchObject({ code: 0, stdout: '' });
    expect((await run(['--use-kube=false', '-A', '--meshConfigFile', join(dir, 'missing.yaml')])).code).toBe(1);
  });

  it('lists the analyzers (-L) and shows help', async () => {
    expect((await run(['-L'])).stdout).toBe(
      '* test.namespaces:\n    Namespaces without injection\n* test.routes:\n    Routes marked broken or unbalanced\n* test.secrets:\n    Gateway credentials\n* test.telemetry:\n    Telemetry providers the mesh config declares',
    );
    expect((await run(['--help'])).stdout).toContain('Usage: npm run analyze -- [FILE|DIR ...] [flags]');
  });
});
