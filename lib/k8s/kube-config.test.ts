import { describe, expect, it } from 'vitest';
import { parseNamespaceAllowList, resolveKubeSource } from './kube-config';

const files = (...present: string[]) => (path: string) => present.includes(path);

describe('resolveKubeSource', () => {
  it('prefers $KUBECONFIG and keeps only the files that exist', () => {
    const source = resolveKubeSource({ KUBECONFIG: '/a:/b' }, files('/b', '/home/u/.kube/config'), '/home/u');
    expect(source).toEqual({ kind: 'kubeconfig', paths: ['/b'] });
  });

  it('explains a $KUBECONFIG that points nowhere instead of silently falling back', () => {
    const source = resolveKubeSource({ KUBECONFIG: '/missing' }, files('/home/u/.kube/config'), '/home/u');
    expect(source.kind).toBe('none');
    expect(source.kind === 'none' && source.reason).toContain('/missing');
  });

  it('falls back to ~/.kube/config', () => {
    expect(resolveKubeSource({}, files('/home/u/.kube/config'), '/home/u')).toEqual({ kind: 'kubeconfig', paths: ['/home/u/.kube/config'] });
  });

  it('uses the service account inside a pod', () => {
    const source = resolveKubeSource({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, files('/var/run/secrets/kubernetes.io/serviceaccount/token'), '/root');
    expect(source).toEqual({ kind: 'in-cluster' });
  });

  it('says what to do when nothing is configured', () => {
    const source = resolveKubeSource({}, files(), '/root');
    expect(source.kind).toBe('none');
    expect(source.kind === 'none' && source.reason).toMatch(/KUBECONFIG/);
  });
});

describe('parseNamespaceAllowList', () => {
  it('means every namespace when unset or blank', () => {
    expect(parseNamespaceAllowList(undefined)).toEqual({});
    expect(parseNamespaceAllowList(' , ')).toEqual({});
  });

  it('trims, drops duplicates and sorts', () => {
    expect(parseNamespaceAllowList(' team-b,team-a ,team-b')).toEqual({ namespaces: ['team-a', 'team-b'] });
  });

  it('names every entry that is not a DNS-1123 label', () => {
    const result = parseNamespaceAllowList(`ok,Upper,-dash,${'x'.repeat(64)}`);
    expect('error' in result && result.error).toMatch(/^MESHDECK_NAMESPACES lists "Upper", "-dash", "x{64}", which are not namespace names/);
  });
});
