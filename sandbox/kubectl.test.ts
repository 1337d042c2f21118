// The sandbox as real kubectl sees it.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from './testing.ts';

const ns = ['-n', 'ai-nutritionist'];
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ manifests: null });
});
afterAll(async () => sandbox?.stop());

const jsonpath = async (kind: string, name: string, path: string) => (await sandbox.kubectl(['get', kind, name, ...ns, '-o', `jsonpath={${path}}`])).stdout;
const resourceVersion = (kind: string, name: string) => jsonpath(kind, name, '.metadata.resourceVersion');

describe('kubectl against the sandbox', () => {
  it('applies k8s/istio/ to a fresh sandbox, lists it, and a second apply changes nothing', async () => {
    const first = await sandbox.kubectl(['apply', '-f', 'k8s/istio/']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('virtualservice.networking.istio.io/nutrition-service-canary created');

    const listed = await sandbox.kubectl(['get', 'virtualservices,destinationrules,peerauthentications', ...ns]);
    expect(listed.status).toBe(0);
    for (const name of [
      'nutrition-service-canary',
      'ai-coach-service-ab-test',
      'payment-service-blue-green',
      'destinationrule.networking.istio.io/ai-coach-service',
      'peerauthentication.security.istio.io/default',
    ]) {
      expect(listed.stdout).toContain(name);
    }
    expect(listed.stdout).toMatch(/default\s+STRICT/);

    const versionBefore = sandbox.store.currentVersion();
    const second = await sandbox.kubectl(['apply', '-f', 'k8s/istio/']);
    expect(second.status).toBe(0);
    expect(second.stderr).toBe('');
    const lines = second.stdout.trim().split('\n');
    expect(lines.every((line) => line.endsWith(' unchanged'))).toBe(true);
    expect(sandbox.store.currentVersion()).toBe(versionBefore);
  });

  it("runs the platform document's quick rollback and emergency commands as written", async () => {
    const rollback = await sandbox.kubectl([
      'patch',
      'virtualservice',
      'nutrition-service-canary',
      ...ns,
      '--type=json',
      '-p=[{"op":"replace","path":"/spec/http/0/route/0/weight","value":100},{"op":"replace","path":"/spec/http/0/route/1/weight","value":0}]',
    ]);
    expect(rollback.stdout).toContain('virtualservice.networking.istio.io/nutrition-service-canary patched');
    expect(await jsonpath('virtualservice', 'nutrition-service-canary', '.spec.http[0].route[*].weight')).toBe('100 0');

    const emergency = await sandbox.kubectl(['patch', 'peerauthentication', 'default', ...ns, '--type=merge', '-p={"spec":{"mtls":{"mode":"PERMISSIVE"}}}']);
    expect(emergency.stdout).toContain('peerauthentication.security.istio.io/default patched');
    expect(await jsonpath('peerauthentication', 'default', '.spec.mtls.mode')).toBe('PERMISSIVE');

    const bypass = await sandbox.kubectl([
      'patch',
      'virtualservice',
      'ai-nutritionist-traffic-management',
      ...ns,
      '--type=json',
      '-p=[{"op":"replace","path":"/spec/http/0/fault","value":null}]',
    ]);
    expect(bypass.status).toBe(0);
    expect(await jsonpath('virtualservice', 'ai-nutritionist-traffic-management', '.spec.http[0].fault')).toBe('');
  });

  it('kubectl get -w prints a change made by another client within a second', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kubectl-home-'));
    const watcher = spawn('kubectl', ['get', 'virtualservices', ...ns, '-w', '--output-watch-events'], {
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfig, HOME: home },
    });
    let output = '';
    const seen = new Promise<number>((resolve) => {
      watcher.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/MODIFIED\s+payment-service-blue-green/.test(output)) resolve(Date.now());
      });
    });
    await expect.poll(() => output, { timeout: 10_000 }).toContain('ADDED');
    const changedAt = Date.now();
    // The change comes from another client (plain HTTPS with the operator's token), not kubectl.
    const { fetch: undiciFetch } = await import('undici');
    const response = await undiciFetch(`${sandbox.url}/apis/networking.istio.io/v1/namespaces/ai-nutritionist/virtualservices/payment-service-blue-green`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer sandbox-operator-token', 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { labels: { touched: 'yes' } } }),
      dispatcher: await trustSandbox(), // trust the sandbox's certificate
    });
    expect(response.status).toBe(200);
    const delay = (await seen) - changedAt;
    watcher.kill();
    expect(delay).toBeLessThan(1000);
  });

  it('refuses bad writes with the right status and leaves the object unchanged', async () => {
    const before = await resourceVersion('virtualservice', 'nutrition-service-canary');
    const live = JSON.parse((await sandbox.kubectl(['get', 'virtualservice', 'nutrition-service-canary', ...ns, '-o', 'json'])).stdout);

    live.metadata.resourceVersion = String(Number(before) - 1);
    const stale = await sandbox.kubectl(['replace', '-f', '-'], { input: JSON.stringify(live) });
    expect(stale.status).not.toBe(0);
    expect(stale.stderr).toContain('Error from server (Conflict)');
    expect(stale.stderr).toContain('the object has been modified');

    const failedTest = await sandbox.kubectl([
      'patch',
      'virtualservice',
      'nutrition-service-canary',
      ...ns,
      '--type=json',
      '-p=[{"op":"test","path":"/spec/http/3/route/1/weight","value":42},{"op":"replace","path":"/spec/http/3/route/1/weight","value":42}]',
    ]);
    // As on kube-apiserver: a failed test op is a generic 422 that does not say which value differed.
    expect(failedTest.stderr).toContain('The request is invalid: the server rejected our request due to an error in our request');

    const badWeight = await sandbox.kubectl([
      'patch',
      'virtualservice',
      'nutrition-service-canary',
      ...ns,
      '--type=json',
      '-p=[{"op":"replace","path":"/spec/http/3/route/0/weight","value":"abc"}]',
    ]);
    expect(badWeight.stderr).toContain('The VirtualService "nutrition-service-canary" is invalid: ');
    expect(badWeight.stderr).toContain(
      'spec.http[3].route[0].weight: Invalid value: "string": spec.http[3].route[0].weight in body must be of type integer: "string"',
    );

    const viewer = await sandbox.kubectl(['patch', 'virtualservice', 'nutrition-service-canary', ...ns, '--type=merge', '-p={"spec":{"http":[]}}'], {
      context: 'sandbox-viewer',
    });
    expect(viewer.stderr).toContain('Error from server (Forbidden)');
    expect(viewer.stderr).toContain('User "viewer@meshdeck.local" cannot patch resource "virtualservices"');

    expect(await resourceVersion('virtualservice', 'nutrition-service-canary')).toBe(before);
  });

  it('kubectl auth can-i answers per RBAC for each demo context', async () => {
    const canI = async (context: string, verb: string, resource: string) =>
      (await sandbox.kubectl(['auth', 'can-i', verb, resource, ...ns], { context })).stdout.trim();
    expect(await canI('sandbox-admin', 'patch', 'virtualservices')).toBe('yes');
    expect(await canI('sandbox-operator', 'patch', 'virtualservices')).toBe('yes');
    expect(await canI('sandbox-viewer', 'patch', 'virtualservices')).toBe('no');
    expect(await canI('sandbox-viewer', 'get', 'virtualservices')).toBe('yes');
    expect(await canI('sandbox-operator', 'patch', 'peerauthentications')).toBe('no');
    expect(await canI('sandbox-admin', 'patch', 'peerauthentications')).toBe('yes');
    expect(await canI('meshdeck-dashboard', 'impersonate', 'users')).toBe('yes');
  });

  it('serves Istio printer columns, explain, server-side apply and events', async () => {
    expect((await sandbox.kubectl(['get', 'destinationrules', ...ns])).stdout).toMatch(/NAME\s+HOST\s+AGE/);
    expect((await sandbox.kubectl(['explain', 'destinationrule.spec.trafficPolicy.outlierDetection.maxEjectionPercent'])).stdout).toContain(
      'maxEjectionPercent <integer>',
    );

    const manifest = JSON.stringify({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'ssa-demo', namespace: 'ai-nutritionist' },
      spec: { host: 'ssa-demo', trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } },
    });
    expect((await sandbox.kubectl(['apply', '--server-side', '--field-manager=team-a', '-f', '-'], { input: manifest })).stdout).toContain(
      'serverside-applied',
    );
    const other = manifest.replace('"maxConnections":10', '"maxConnections":20');
    const conflicting = await sandbox.kubectl(['apply', '--server-side', '--field-manager=team-b', '-f', '-'], { input: other });
    expect(conflicting.stderr).toContain('conflict with "team-a"');
    expect(await jsonpath('destinationrule', 'ssa-demo', '.spec.trafficPolicy.connectionPool.tcp.maxConnections')).toBe('10');
    expect((await sandbox.kubectl(['apply', '--server-side', '--field-manager=team-b', '--force-conflicts', '-f', '-'], { input: other })).status).toBe(0);
    expect(await jsonpath('destinationrule', 'ssa-demo', '.spec.trafficPolicy.connectionPool.tcp.maxConnections')).toBe('20');

    const events = (
      await sandbox.kubectl(['get', 'events', ...ns, '--field-selector', 'involvedObject.name=nutrition-service-canary', '-o', 'jsonpath={.items[*].reason}'])
    ).stdout;
    expect(events.split(' ')).toEqual(expect.arrayContaining(['Created', 'Patched']));
  });
});

describe('kubectl through every served version', () => {
  it('applies a v1beta1 VirtualService, patches it through v1 and reads it through v1beta1', async () => {
    const manifest = `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: docs-example, namespace: ai-nutritionist}
spec:
  hosts: [docs-example]
  http:
  - route:
    - {destination: {host: docs-example, subset: v1}, weight: 75}
    - {destination: {host: docs-example, subset: v2}, weight: 25}
`;
    expect((await sandbox.kubectl(['apply', '-f', '-'], { input: manifest })).stdout).toContain('virtualservice.networking.istio.io/docs-example created');
    const patched = await sandbox.kubectl([
      'patch',
      'virtualservices.v1.networking.istio.io',
      'docs-example',
      ...ns,
      '--type=json',
      '-p=[{"op":"replace","path":"/spec/http/0/route/0/weight","value":60},{"op":"replace","path":"/spec/http/0/route/1/weight","value":40}]',
    ]);
    expect(patched.stderr).toBe('');
    expect(patched.stdout).toContain('virtualservice.networking.istio.io/docs-example patched');
    const read = JSON.parse((await sandbox.kubectl(['get', 'virtualservices.v1beta1.networking.istio.io', 'docs-example', ...ns, '-o', 'json'])).stdout) as {
      apiVersion: string;
      metadata: { generation: number };
      spec: { http: { route: { weight: number }[] }[] };
    };
    expect(read.apiVersion).toBe('networking.istio.io/v1beta1');
    expect(read.spec.http[0]!.route.map((r) => r.weight)).toEqual([60, 40]);
    expect(read.metadata.generation).toBe(2);

    // A second apply of the same v1beta1 manifest (a merge patch through v1beta1) restores it; server-side apply and delete through v1alpha3.
    expect((await sandbox.kubectl(['apply', '-f', '-'], { input: manifest })).stdout).toContain('configured');
    expect(await jsonpath('virtualservices.v1alpha3.networking.istio.io', 'docs-example', '.spec.http[0].route[*].weight')).toBe('75 25');
    const ssa = await sandbox.kubectl(['apply', '--server-side', '--field-manager=docs', '--force-conflicts', '-f', '-'], {
      input: manifest.replace('v1beta1', 'v1alpha3').replace('weight: 75', 'weight: 70').replace('weight: 25', 'weight: 30'),
    });
    expect(ssa.stdout).toContain('serverside-applied');
    expect(await jsonpath('virtualservice', 'docs-example', '.spec.http[0].route[*].weight')).toBe('70 30');
    expect((await sandbox.kubectl(['delete', 'virtualservices.v1alpha3.networking.istio.io', 'docs-example', ...ns])).stdout).toContain('deleted');
  });
});

describe('kubectl create for core kinds (protobuf bodies)', () => {
  const get = async (args: string[]) =>
    JSON.parse((await sandbox.kubectl(['get', ...args, '-o', 'json'])).stdout) as Record<string, unknown> & {
      metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    };

  it('creates a namespace, a ConfigMap and a Secret from literals, and a ServiceAccount', async () => {
    for (const args of [
      ['namespace', 'proto'],
      ['configmap', 'settings', '-n', 'proto', '--from-literal=mode=fast', '--from-literal=retries=3'],
      ['secret', 'generic', 'credentials', '-n', 'proto', '--from-literal=password=hunter2'],
      ['serviceaccount', 'robot', '-n', 'proto'],
    ]) {
      const created = await sandbox.kubectl(['create', ...args]);
      expect(created.stderr, args.join(' ')).toBe('');
      expect(created.stdout).toContain('created');
    }
    expect(await get(['namespace', 'proto'])).toMatchObject({ kind: 'Namespace', metadata: { name: 'proto' }, status: { phase: 'Active' } });
    const configMap = await get(['configmap', 'settings', '-n', 'proto']);
    expect(configMap).toMatchObject({ data: { mode: 'fast', retries: '3' }, metadata: { name: 'settings', namespace: 'proto' } });
    // Empty protobuf fields stay out, as Go's omitempty leaves them out of JSON.
    expect(configMap.metadata).not.toHaveProperty('generateName');
    expect(await get(['secret', 'credentials', '-n', 'proto'])).toMatchObject({
      type: 'Opaque',
      data: { password: Buffer.from('hunter2').toString('base64') },
    });
    expect(await get(['serviceaccount', 'robot', '-n', 'proto'])).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'proto' } });
  });

  it('creates RBAC objects, a Deployment, a Service and a PodDisruptionBudget', async () => {
    for (const args of [
      ['role', 'reader', '-n', 'proto', '--verb=get,list', '--resource=configmaps'],
      ['rolebinding', 'reader', '-n', 'proto', '--role=reader', '--serviceaccount=proto:robot'],
      ['clusterrole', 'proto-reader', '--verb=get', '--resource=namespaces'],
      ['clusterrolebinding', 'proto-reader', '--clusterrole=proto-reader', '--user=alice'],
      ['deployment', 'web', '-n', 'proto', '--image=nginx', '--port=80', '--replicas=2'],
      ['service', 'clusterip', 'web', '-n', 'proto', '--tcp=80:8080'],
      ['poddisruptionbudget', 'web', '-n', 'proto', '--selector=app=web', '--min-available=1'],
    ]) {
      const created = await sandbox.kubectl(['create', ...args]);
      expect(created.stderr, args.join(' ')).toBe('');
    }
    expect(await get(['role', 'reader', '-n', 'proto'])).toMatchObject({ rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] });
    expect(await get(['rolebinding', 'reader', '-n', 'proto'])).toMatchObject({
      roleRef: { kind: 'Role', name: 'reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: 'proto' }],
    });
    expect(await get(['clusterrolebinding', 'proto-reader'])).toMatchObject({ subjects: [{ kind: 'User', name: 'alice' }] });
    expect(await get(['deployment', 'web', '-n', 'proto'])).toMatchObject({
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
      },
    });
    expect(await get(['service', 'web', '-n', 'proto'])).toMatchObject({
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
    });
    expect(await get(['pdb', 'web', '-n', 'proto'])).toMatchObject({ spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });

    // kubectl scale goes through the autoscaling/v1 Scale subresource.
    expect((await sandbox.kubectl(['scale', 'deployment', 'web', '-n', 'proto', '--replicas=3'])).stdout).toContain('deployment.apps/web scaled');
    expect((await sandbox.kubectl(['get', 'pods', '-n', 'proto', '-l', 'app=web', '-o', 'name'])).stdout.trim().split('\n')).toHaveLength(3);
  });
});

describe('admission webhook configurations (cluster-scoped, as in every cluster)', () => {
  const webhooks = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: injector-test, labels: {app: sidecar-injector}}
webhooks:
  - name: rev.namespace.sidecar-injector.istio.io
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject}}
    namespaceSelector: {matchLabels: {istio-injection: enabled}}
    rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: validator-test}
webhooks:
  - name: rev.validation.istio.io
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig: {url: "https://istiod.example.com:15017/validate"}
    rules: [{operations: [CREATE, UPDATE], apiGroups: [networking.istio.io], apiVersions: ["*"], resources: ["*"]}]
`;

  it('creates, lists and watches Mutating and Validating webhook configurations through kubectl', async () => {
    const applied = await sandbox.kubectl(['apply', '-f', '-'], { input: webhooks });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('mutatingwebhookconfiguration.admissionregistration.k8s.io/injector-test created');
    expect(applied.stdout).toContain('validatingwebhookconfiguration.admissionregistration.k8s.io/validator-test created');

    const table = await sandbox.kubectl(['get', 'mutatingwebhookconfigurations']);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/NAME\s+WEBHOOKS\s+AGE\n/);
    expect(table.stdout).toMatch(/injector-test\s+1\s+/);
    const listed = JSON.parse((await sandbox.kubectl(['get', 'validatingwebhookconfigurations', '-o', 'json'])).stdout) as {
      items: { metadata: { name: string; namespace?: string }; webhooks: { clientConfig: { url?: string } }[] }[];
    };
    const validator = listed.items.find((item) => item.metadata.name === 'validator-test');
    expect(validator?.metadata.namespace).toBeUndefined();
    expect(validator?.webhooks[0]?.clientConfig.url).toBe('https://istiod.example.com:15017/validate');

    const home = mkdtempSync(join(tmpdir(), 'kubectl-home-'));
    const watcher = spawn('kubectl', ['get', 'mutatingwebhookconfigurations', '-w', '--output-watch-events'], {
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfig, HOME: home },
    });
    let output = '';
    watcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await expect.poll(() => output, { timeout: 10_000 }).toMatch(/ADDED\s+injector-test/);
      const labelled = await sandbox.kubectl(['label', 'mutatingwebhookconfiguration', 'injector-test', 'istio.io/rev=canary']);
      expect(labelled.stdout).toContain('labeled');
      await expect.poll(() => output, { timeout: 10_000 }).toMatch(/MODIFIED\s+injector-test/);
      expect((await sandbox.kubectl(['delete', 'mutatingwebhookconfiguration', 'injector-test'])).stdout).toContain('deleted');
      await expect.poll(() => output, { timeout: 10_000 }).toMatch(/DELETED\s+injector-test/);
    } finally {
      watcher.kill();
    }
    expect((await sandbox.kubectl(['delete', 'validatingwebhookconfiguration', 'validator-test'])).status).toBe(0);
  });
});

describe('kubectl apply --dry-run=server', () => {
  const manifest = `apiVersion: v1
kind: Namespace
metadata: {name: dry}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: dry-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: dry-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: dry-reader}
subjects: [{kind: ServiceAccount, name: web, namespace: default}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: web, namespace: default}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: web}
subjects: [{kind: ServiceAccount, name: web, namespace: default}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 80}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: default}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {}}]}]
`;
  const kinds = [
    'namespace/dry',
    'serviceaccount/web',
    'clusterrole.rbac.authorization.k8s.io/dry-reader',
    'clusterrolebinding.rbac.authorization.k8s.io/dry-reader',
    'role.rbac.authorization.k8s.io/web',
    'rolebinding.rbac.authorization.k8s.io/web',
    'deployment.apps/web',
    'service/web',
    'poddisruptionbudget.policy/web',
    'networkpolicy.networking.k8s.io/web',
  ];

  it('validates creates and changes of every kind a deployment needs without changing anything', async () => {
    const before = sandbox.store.currentVersion();
    const created = await sandbox.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: manifest });
    expect(created.stderr).toBe('');
    expect(created.stdout.trim().split('\n')).toEqual(kinds.map((k) => `${k} created (server dry run)`));
    expect(sandbox.store.currentVersion()).toBe(before);
    expect((await sandbox.kubectl(['get', 'deployment', 'web'])).stderr).toContain('not found');

    expect((await sandbox.kubectl(['apply', '-f', '-'], { input: manifest })).status).toBe(0);
    const applied = sandbox.store.currentVersion();
    const changed = await sandbox.kubectl(['apply', '--dry-run=server', '-f', '-'], {
      input: manifest.replace('replicas: 2', 'replicas: 5').replace('minAvailable: 1', 'minAvailable: 2'),
    });
    expect(changed.stdout).toContain('deployment.apps/web configured (server dry run)');
    expect(changed.stdout).toContain('poddisruptionbudget.policy/web configured (server dry run)');
    expect(sandbox.store.currentVersion()).toBe(applied);
    expect((await sandbox.kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'])).stdout).toBe('2');
  });

  it('refuses objects in a namespace the same dry run only pretended to create, as kube-apiserver does', async () => {
    const dry = await sandbox.kubectl(['apply', '--dry-run=server', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: not-yet}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: not-yet}\n',
    });
    expect(dry.stdout).toContain('namespace/not-yet created (server dry run)');
    expect(dry.stderr).toContain('namespaces "not-yet" not found');
  });
});

describe('sandbox state', () => {
  it('--state keeps objects across a restart', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'sandbox-state-')), 'state.json');
    const first = await startTestSandbox({ stateFile });
    await first.kubectl(['patch', 'peerauthentication', 'default', ...ns, '--type=merge', '-p={"spec":{"mtls":{"mode":"PERMISSIVE"}}}']);
    await first.stop();
    const second = await startTestSandbox({ stateFile });
    try {
      expect((await second.kubectl(['get', 'peerauthentication', 'default', ...ns, '-o', 'jsonpath={.spec.mtls.mode}'])).stdout).toBe('PERMISSIVE');
    } finally {
      await second.stop();
    }
  });
});

async function trustSandbox() {
  const { Agent } = await import('undici');
  return new Agent({ connect: { ca: sandbox.certificate } });
}
