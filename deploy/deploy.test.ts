// deploy/: what `kubectl kustomize` renders for the base and each overlay, checked object by
// object; the base through the sandbox's server-side dry run; the ClusterRole against
// `kubectl auth can-i` as the dashboard's service account; and the Dockerfile against the
// Deployment and package.json.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../sandbox/testing.ts';

// Rendered manifests are walked freely; the assertions are what check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: any };
type Rule = { apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; verbs: string[] };

const render = (dir: string): Obj[] =>
  parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }))
    .map((doc) => doc.toJS() as Obj)
    .filter(Boolean);
const find = (objects: Obj[], kind: string, name?: string) => {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} rendered`);
  return found;
};
const rules = (objects: Obj[]): Rule[] => objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').flatMap((o) => o.rules as Rule[]);
const podOf = (objects: Obj[]) => find(objects, 'Deployment', 'meshdeck').spec.template;
const containerOf = (objects: Obj[]) => podOf(objects).spec.containers[0];
const envOf = (objects: Obj[], name: string) => containerOf(objects).env.find((e: { name: string }) => e.name === name);
const configOf = (objects: Obj[]) => {
  const ref = containerOf(objects).envFrom[0].configMapRef.name as string;
  return find(objects, 'ConfigMap', ref).data as Record<string, string>;
};
const mebibytes = (quantity: string) => {
  const [, n, unit] = /^(\d+)(Mi|Gi|M|G)?$/.exec(quantity) ?? [];
  return Number(n) * ({ Mi: 1, Gi: 1024, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 }[unit ?? ''] ?? 1 / 2 ** 20);
};

let base: Obj[];
let oidc: Obj[];
beforeAll(() => {
  base = render('deploy');
  oidc = render('deploy/overlays/oidc');
});

describe('deploy/ (kubectl kustomize)', () => {
  it('renders the whole install, in namespace meshdeck, with no Secret in it', () => {
    expect(base.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    const namespaced = base.filter((o) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind));
    expect(namespaced.every((o) => o.metadata.namespace === 'meshdeck')).toBe(true);
    expect(find(base, 'Namespace').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const objects of [base, oidc]) expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('runs two hardened replicas, spread over nodes, probed on /api/readyz and /api/healthz', () => {
    const deployment = find(base, 'Deployment', 'meshdeck');
    expect(deployment.spec.replicas).toBe(2);
    const pod = podOf(base).spec;
    expect(pod.serviceAccountName).toBe('meshdeck');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.topologySpreadConstraints).toContainEqual(expect.objectContaining({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1, labelSelector: { matchLabels: podOf(base).metadata.labels } }));

    const container = containerOf(base);
    expect(container.image).toBe('meshdeck:0.1.0');
    expect(container.securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/api/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/api/healthz', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(mebibytes(container.resources.limits.memory)).toBeGreaterThanOrEqual(384);
    expect(container.resources.requests).toHaveProperty('cpu');
    expect(container.resources.requests).toHaveProperty('memory');

    // The read-only root file system: the server writes only to emptyDirs.
    const mounts = Object.fromEntries(container.volumeMounts.map((m: { mountPath: string; name: string }) => [m.mountPath, m.name]));
    expect(Object.keys(mounts).sort()).toEqual(['/app/.next/cache', '/tmp']);
    for (const name of Object.values(mounts)) expect(pod.volumes.find((v: { name: string }) => v.name === name)).toHaveProperty('emptyDir');
  });

  it('takes secrets by reference, its namespace and name from the downward API, the rest from a generated ConfigMap', () => {
    expect(envOf(base, 'NEXTAUTH_SECRET')).toEqual({ name: 'NEXTAUTH_SECRET', valueFrom: { secretKeyRef: { name: 'meshdeck-auth', key: 'NEXTAUTH_SECRET' } } });
    expect(envOf(base, 'POD_NAMESPACE').valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(envOf(base, 'POD_NAME').valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(envOf(base, 'HOSTNAME').value).toBe('0.0.0.0');
    // No literal value for anything secret, in the Deployment or the ConfigMap.
    const literal = containerOf(base).env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string }) => e.name);
    expect(literal.filter((n: string) => /SECRET|PASSWORD|TOKEN/.test(n))).toEqual([]);

    const config = configOf(base);
    expect(config).toEqual({ NEXTAUTH_URL: 'http://localhost:8080', MESHDECK_IMPERSONATE: '1', MESHDECK_PROMETHEUS_URL: 'http://prometheus.istio-system:9090', MESHDECK_JAEGER_URL: 'http://tracing.istio-system:80/jaeger' });
    // A hashed name, so that a change of configuration rolls the pods.
    expect(containerOf(base).envFrom[0].configMapRef.name).toMatch(/^meshdeck-config-[a-z0-9]{10}$/);
  });

  it('serves port 80 to the pods, keeps one through disruptions, and lets in only port 3000', () => {
    const labels = podOf(base).metadata.labels;
    const service = find(base, 'Service', 'meshdeck');
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(find(base, 'PodDisruptionBudget').spec).toEqual({ minAvailable: 1, selector: { matchLabels: labels } });

    const policy = find(base, 'NetworkPolicy').spec;
    expect(policy.podSelector.matchLabels).toEqual(labels);
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.ingress).toEqual([{ ports: [{ port: 3000, protocol: 'TCP' }] }]);
    const egressPorts = policy.egress.flatMap((e: { ports: { port: number }[] }) => e.ports.map((p) => p.port));
    expect(egressPorts.sort((a: number, b: number) => a - b)).toEqual([53, 53, 443, 6443, 9090, 16686]);
  });

  it('grants no wildcard and no Secret access, and impersonation only of users and groups, through its own ClusterRole', () => {
    const impersonating = find(base, 'ClusterRole', 'meshdeck-impersonate').rules as Rule[];
    const granted = rules(base).filter((rule) => !impersonating.includes(rule));
    for (const rule of granted) {
      expect([...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs]).not.toContain('*');
      expect(rule.resources).not.toContain('secrets');
      expect(rule.verbs).not.toContain('impersonate');
      // Deletes only of ConfigMaps: audit retention removes expired entries.
      if (rule.verbs.includes('delete')) expect(rule.resources).toEqual(['configmaps']);
    }
    // No ConfigMap is ever updated: audit entries are created once, each its own object.
    expect(granted.filter((r) => r.resources?.includes('configmaps') && (r.verbs.includes('update') || r.verbs.includes('patch')))).toEqual([]);
    // Leases only in Meshdeck's namespace.
    expect(find(base, 'Role').rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
    expect(find(base, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'meshdeck', namespace: 'meshdeck' }]);

    // Impersonation is the default: every read is filtered, and every write made, as the signed-in person.
    expect(impersonating).toEqual([
      { apiGroups: [''], resources: ['users'], verbs: ['impersonate'] },
      { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'] },
    ]);
    expect(find(base, 'ClusterRoleBinding', 'meshdeck-impersonate').subjects).toEqual([{ kind: 'ServiceAccount', name: 'meshdeck', namespace: 'meshdeck' }]);
    expect(configOf(base).MESHDECK_IMPERSONATE).toBe('1');
    expect(configOf(oidc).MESHDECK_IMPERSONATE).toBe('1');
  });

  it('the OIDC overlay takes the client credentials from the Secret and the issuer from the ConfigMap', () => {
    for (const name of ['MESHDECK_OIDC_CLIENT_ID', 'MESHDECK_OIDC_CLIENT_SECRET', 'NEXTAUTH_SECRET']) {
      expect(envOf(oidc, name).valueFrom).toEqual({ secretKeyRef: { name: 'meshdeck-auth', key: name } });
    }
    const config = configOf(oidc);
    expect(config).toMatchObject({ MESHDECK_OIDC_ISSUER: expect.stringMatching(/^https:\/\//), NEXTAUTH_URL: expect.stringMatching(/^https:\/\//), MESHDECK_PROMETHEUS_URL: configOf(base).MESHDECK_PROMETHEUS_URL });
    expect(Object.keys(config).filter((k) => /SECRET|CLIENT_ID/.test(k))).toEqual([]);
  });

  it("lists in deploy/README.md's RBAC table exactly the verbs the roles grant", () => {
    const granted = new Map<string, Set<string>>();
    for (const rule of rules(base)) for (const resource of rule.resources ?? []) for (const verb of rule.verbs) granted.set(resource, (granted.get(resource) ?? new Set()).add(verb));
    const documented = new Map<string, Set<string>>();
    for (const [, resource, verbs] of readFileSync('deploy/README.md', 'utf8').matchAll(/^\| `([a-z]+)`[^|]*\| ([a-z, ]+) \|/gm)) {
      for (const verb of verbs!.split(/,\s*/)) documented.set(resource!, (documented.get(resource!) ?? new Set()).add(verb));
    }
    const asObject = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]).sort());
    expect(asObject(documented)).toEqual(asObject(granted));
  });

  it('the Dockerfile runs the Node the project pins, as the user the Deployment expects', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
    expect(/^ARG NODE_VERSION=(\S+)$/m.exec(dockerfile)?.[1]).toBe(pkg.devDependencies.node);
    expect(/^USER (\d+):(\d+)$/m.exec(dockerfile)?.slice(1).map(Number)).toEqual([podOf(base).spec.securityContext.runAsUser, podOf(base).spec.securityContext.runAsGroup]);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
    for (const path of ['.next/standalone', '.next/static', 'public']) expect(dockerfile).toContain(`COPY --from=build /app/${path} `);
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['node_modules', '.next', '.sandbox', '.git', 'reports', 'test-results']) expect(ignored).toContain(entry);
  });
});

describe('deploy/ against the sandbox API server', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    // Its bootstrap and demo RBAC only (namespaces meshdeck and istio-system among them): what
    // is checked here needs no mesh.
    sandbox = await startTestSandbox({ manifests: null });
  });
  afterAll(async () => sandbox?.stop());

  const yaml = (objects: Obj[]) => objects.map((o) => stringify(o)).join('---\n');
  const sa = 'system:serviceaccount:meshdeck:meshdeck';

  it('kubectl apply --dry-run=server accepts every object of the base and stores none', async () => {
    // Namespaced objects need their namespace to exist, even in a dry run (as on
    // kube-apiserver); the sandbox's demo RBAC already has it, a fresh cluster would not.
    const namespace = await sandbox.kubectl(['apply', '-f', '-'], { input: yaml([find(base, 'Namespace')]) });
    expect(namespace.status, namespace.stderr).toBe(0);

    const dryRun = await sandbox.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: yaml(base) });
    // stderr says what the sandbox does not accept. PodDisruptionBudget and NetworkPolicy need
    // it to serve policy/v1 and networking.k8s.io/v1: for a kind missing from its OpenAPI v3,
    // kubectl falls back to /openapi/v2 and fails with "proto: cannot parse invalid wire-format data".
    expect(dryRun.stderr).toBe('');
    expect(dryRun.status).toBe(0);
    for (const o of base) expect(dryRun.stdout).toMatch(new RegExp(`^${o.kind.toLowerCase()}[./][^ ]*${o.metadata.name} (created|configured|unchanged) \\(server dry run\\)$`, 'm'));

    for (const what of ['deployment meshdeck -n meshdeck', 'service meshdeck -n meshdeck', 'clusterrole meshdeck']) {
      expect((await sandbox.kubectl(['get', ...what.split(' ')])).stderr).toContain('NotFound');
    }
  }, 60_000);

  it('the service account may do exactly what lib/ does, and impersonate users and groups', async () => {
    const rbacKinds = ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
    const applied = await sandbox.kubectl(['apply', '-f', '-'], { input: yaml(base.filter((o) => rbacKinds.includes(o.kind))) });
    expect(applied.stderr).toBe('');

    const canI = async (args: string) => (await sandbox.kubectl(['auth', 'can-i', ...args.split(' '), '--as', sa])).stdout.trim();
    const app = 'ai-nutritionist';
    const allowed = [
      ...['get', 'list', 'watch'].map((verb) => `${verb} namespaces`),
      ...['services', 'pods', 'deployments.apps', 'configmaps', 'virtualservices.networking.istio.io', 'destinationrules.networking.istio.io', 'envoyfilters.networking.istio.io', 'peerauthentications.security.istio.io', 'requestauthentications.security.istio.io', 'authorizationpolicies.security.istio.io'].flatMap((r) => [`list ${r} --all-namespaces`, `watch ${r} --all-namespaces`]),
      // The live configuration analysis: every other kind its analyzers read, cluster-wide (the
      // Gateway API's too, which the sandbox does not serve, so kubectl cannot ask about them).
      ...[
        ...['endpoints', 'serviceaccounts', 'customresourcedefinitions.apiextensions.k8s.io', 'telemetries.telemetry.istio.io', 'wasmplugins.extensions.istio.io'],
        ...['gateways', 'serviceentries', 'sidecars', 'workloadentries', 'workloadgroups', 'proxyconfigs'].map((r) => `${r}.networking.istio.io`),
        ...['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'].map((r) => `${r}.admissionregistration.k8s.io`),
      ].flatMap((r) => [`list ${r} --all-namespaces`, `watch ${r} --all-namespaces`]),
      `get virtualservices.networking.istio.io -n ${app}`,
      ...['virtualservices.networking.istio.io', 'destinationrules.networking.istio.io', 'envoyfilters.networking.istio.io', 'peerauthentications.security.istio.io'].map((r) => `patch ${r} -n ${app}`),
      `create events -n ${app}`,
      `create configmaps -n ${app}`,
      `delete configmaps -n ${app}`,
      ...['get', 'create', 'update'].map((verb) => `${verb} leases.coordination.k8s.io -n meshdeck`),
      'impersonate users',
      'impersonate groups',
    ];
    const refused = [
      'update configmaps/istio -n istio-system',
      `update configmaps/meshdeck-audit -n ${app}`,
      `get configmaps/settings -n ${app}`,
      `patch requestauthentications.security.istio.io -n ${app}`,
      `patch authorizationpolicies.security.istio.io -n ${app}`,
      `delete virtualservices.networking.istio.io -n ${app}`,
      `create virtualservices.networking.istio.io -n ${app}`,
      'get secrets -n meshdeck',
      'list secrets --all-namespaces',
      `create leases.coordination.k8s.io -n ${app}`,
      'impersonate serviceaccounts -n meshdeck',
    ];
    const answers = async (checks: string[]) => Object.fromEntries(await Promise.all(checks.map(async (c) => [c, await canI(c)])));
    expect(await answers(allowed)).toEqual(Object.fromEntries(allowed.map((c) => [c, 'yes'])));
    expect(await answers(refused)).toEqual(Object.fromEntries(refused.map((c) => [c, 'no'])));

  }, 60_000);
});
