// Kubernetes RBAC per person against the sandbox, as the dashboard's service account
// impersonating them: namespaces filtered by SelfSubjectRulesReview, verbs per kind, and the
// session revocation list in Meshdeck's namespace read back through the watch cache.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import { pointAtKubeconfig } from '../k8s/fake-api';
import { kubeRequest } from '../k8s/http';
import { accessReview, rulesReview } from '../k8s/access-review';
import { collectionPath, configMaps } from '../k8s/resources';
import { canList, clusterAccess, onlyVisible, visibleAnswer, visibleNamespaces, withoutHiddenNamespaces } from './cluster-access';
import type { SessionUser } from './session';
import { isRevoked, revocationName, revokeSession } from './session-revocation';

let sandbox: TestSandbox;
let restore: () => void;

const person = (email: string, groups: string[]): SessionUser => ({ name: email, email, groups, role: 'operator' });
const rita = person('rita@example.com', ['team-a-devs']);
const operator = person('operator@example.com', ['meshdeck:operators']);

const teamAViewer = `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: team-a-viewers, namespace: team-a }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: meshdeck-viewer }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: Group, name: team-a-devs }]
`;

beforeAll(async () => {
  sandbox = await startTestSandbox({ manifests: null });
  for (const ns of ['team-a', 'team-b']) expect((await sandbox.kubectl(['create', 'namespace', ns])).status).toBe(0);
  expect((await sandbox.kubectl(['apply', '-f', '-'], { input: teamAViewer })).stderr).toBe('');
  vi.stubEnv('MESHDECK_IMPERSONATE', '1');
  restore = pointAtKubeconfig(sandbox.kubeconfig, { MESHDECK_KUBE_CONTEXT: 'meshdeck-dashboard' });
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  restore?.();
  await sandbox?.stop();
});

describe('what the cluster lets each person see and do', () => {
  it('shows a person bound in one namespace only that namespace', async () => {
    expect(await visibleNamespaces(rita, ['team-a', 'team-b'])).toEqual(['team-a']);
    expect(await visibleNamespaces(operator, ['team-a', 'team-b'])).toEqual(['team-a', 'team-b']);
    expect(await onlyVisible(rita, [{ ns: 'team-b' }, { ns: 'team-a' }], (i) => i.ns)).toEqual([{ ns: 'team-a' }]);
    expect([
      await canList(rita, { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService', namespaced: true }, 'team-a'),
      await canList(rita, { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService', namespaced: true }),
    ]).toEqual([true, false]);
  });

  it('lists the verbs per kind: an operator may patch VirtualServices, the team-a viewer may not', async () => {
    const forOperator = await clusterAccess(operator, ['team-a']);
    expect(forOperator.namespaces['team-a']?.VirtualService).toEqual(['list', 'update', 'patch']);
    const forRita = await clusterAccess(rita, ['team-a', 'team-b']);
    expect(forRita).toEqual({
      impersonating: true,
      user: 'rita@example.com',
      namespaces: { 'team-a': expect.objectContaining({ VirtualService: ['list'], PeerAuthentication: ['list'] }) },
    });
  });

  it('always sends the groups: without them the same user is nobody (golden 49)', async () => {
    const identity = { user: 'operator@example.com', groups: [] as string[] };
    expect(await accessReview(identity, { verb: 'patch', group: 'networking.istio.io', resource: 'virtualservices', namespace: 'team-a' })).toBe(false);
    expect(
      await accessReview(
        { ...identity, groups: ['meshdeck:operators'] },
        { verb: 'patch', group: 'networking.istio.io', resource: 'virtualservices', namespace: 'team-a' },
      ),
    ).toBe(true);
  });

  it('answers a read without the hidden namespaces, and refuses one asked for a hidden namespace', async () => {
    const view = {
      mesh: { mode: 'STRICT' },
      workloads: [
        { namespace: 'team-a', name: 'w' },
        { namespace: 'team-b', name: 'x' },
      ],
      jwt: [{ namespace: 'team-b', rules: [{ namespace: 'team-b' }] }],
    };
    expect(await visibleAnswer(rita, undefined, () => view)).toEqual({ mesh: { mode: 'STRICT' }, workloads: [{ namespace: 'team-a', name: 'w' }], jwt: [] });
    await expect(visibleAnswer(rita, 'team-b', () => view)).rejects.toMatchObject({
      status: 403,
      message: "The cluster's RBAC does not let rita@example.com list Istio resources in namespace team-b",
    });
    expect(await visibleAnswer(operator, 'team-b', () => view)).toEqual(view);
    // The large views hand lazy arrays (their items made as json() streams them): filtered all the same.
    const lazy = function* <T>(items: T[]) {
      yield* items;
    };
    expect(await visibleAnswer(rita, undefined, () => ({ ...view, workloads: lazy(view.workloads) }))).toEqual({
      mesh: { mode: 'STRICT' },
      workloads: [{ namespace: 'team-a', name: 'w' }],
      jwt: [],
    });
    expect(await visibleAnswer(rita, undefined, () => lazy(view.workloads))).toEqual([{ namespace: 'team-a', name: 'w' }]);
  });

  it('keeps a review for 30 s per person', async () => {
    const first = rulesReview({ user: 'memo@example.com', groups: ['team-a-devs'] }, 'team-a');
    expect(rulesReview({ user: 'memo@example.com', groups: ['team-a-devs'] }, 'team-a')).toBe(first);
    expect(rulesReview({ user: 'memo@example.com', groups: ['other'] }, 'team-a')).not.toBe(first);
  });

  it('without impersonation, everyone sees what the service account sees', async () => {
    vi.stubEnv('MESHDECK_IMPERSONATE', '');
    expect(await visibleNamespaces(rita, ['team-a', 'team-b'])).toEqual(['team-a', 'team-b']);
    expect((await clusterAccess(rita, ['team-a'])).impersonating).toBe(false);
    vi.stubEnv('MESHDECK_IMPERSONATE', '1');
  });
});

describe('signed-out sessions in the cluster', () => {
  const now = Math.floor(Date.now() / 1000);
  const listed = async () =>
    (
      await kubeRequest<{ items: { metadata: { name: string }; data: { endsAt: string } }[] }>({
        path: collectionPath(configMaps, 'meshdeck'),
        query: { labelSelector: 'meshdeck.io/revoked-session=true' },
      })
    ).items;

  it('creates one labelled ConfigMap per sign-out, and deletes those whose session has ended', async () => {
    await revokeSession('session-1', now + 3600, now);
    await revokeSession('session-2', now + 1, now);
    await vi.waitFor(async () => expect(await isRevoked('session-2', now)).toBe(true));
    await revokeSession('session-1', now + 3600, now); // signed out twice (two tabs): still one
    expect((await listed()).map((c) => [c.metadata.name, c.data.endsAt]).sort()).toEqual([
      [revocationName('session-1'), String(now + 3600)],
      [revocationName('session-2'), String(now + 1)],
    ]);
    await revokeSession('session-3', now + 3600, now + 2);
    expect((await listed()).map((c) => c.metadata.name).sort()).toEqual([revocationName('session-1'), revocationName('session-3')]);
  });

  it('honours a sign-out made by another replica once its watch has seen it', async () => {
    expect(await isRevoked('other-replica')).toBe(false);
    await kubeRequest({
      method: 'POST',
      path: collectionPath(configMaps, 'meshdeck'),
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: revocationName('other-replica'), labels: { 'meshdeck.io/revoked-session': 'true' } },
        data: { endsAt: String(now + 3600) },
      },
    });
    await vi.waitFor(async () => expect(await isRevoked('other-replica')).toBe(true), { timeout: 5_000, interval: 50 });
    expect(await isRevoked('never-signed-out')).toBe(false);
  });
});

describe('dropping hidden namespaces from an answer', () => {
  it('drops array entries of hidden namespaces at any depth and keeps everything else', () => {
    const visible = new Set(['a']);
    const answer = { items: [{ namespace: 'a', routes: [{ namespace: 'b' }, { host: 'h' }] }, { namespace: 'b' }], resourceVersion: '7', names: ['b'] };
    expect(withoutHiddenNamespaces(answer, visible)).toEqual({ items: [{ namespace: 'a', routes: [{ host: 'h' }] }], resourceVersion: '7', names: ['b'] });
  });
});
