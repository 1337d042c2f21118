import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadManifests } from './manifests.ts';

const script = new URL('./deploy-service-mesh.sh', import.meta.url).pathname;
// kubectl is replaced by `false`: a dry run must not call it at all.
const run = (...args: string[]) => spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { ...process.env, KUBECTL: 'false' } });
const expectedObjects = loadManifests().map(({ object }) => `${object.kind}/${object.metadata.name}${object.metadata.namespace ? ` (namespace ${object.metadata.namespace})` : ''}`);

describe('deploy-service-mesh.sh', () => {
  it('parses with bash -n', () => {
    const result = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('passes shellcheck', () => {
    const result = spawnSync('shellcheck', [script], { encoding: 'utf8' });
    if (result.error) throw new Error(`shellcheck is needed for this test (apt-get install shellcheck): ${result.error.message}`);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('deploy --dry-run lists every resource, in apply order, without touching a cluster', () => {
    const result = run('deploy', '--dry-run');
    expect(result.status).toBe(0);
    const listed = result.stdout.split('\n').filter((line) => line.includes('/'));
    const fileOrder = ['namespace.yaml', 'service-mesh-complete.yaml', 'security-policies-enhanced.yaml', 'traffic-management-advanced.yaml', 'observability-complete.yaml', 'observability-meshdeck.yaml'];
    const byFile = loadManifests();
    const inApplyOrder = fileOrder.flatMap((file) => byFile.filter((m) => m.file === file)).map(({ object }) => `${object.kind}/${object.metadata.name}${object.metadata.namespace ? ` (namespace ${object.metadata.namespace})` : ''}`);
    expect(listed).toEqual(inApplyOrder);
    expect([...listed].sort()).toEqual([...expectedObjects].sort());
  });

  it('cleanup --dry-run lists the same resources and deletes nothing', () => {
    const result = run('cleanup', '--dry-run');
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line.includes('/')).sort()).toEqual([...expectedObjects].sort());
  });

  it('refuses an unknown command or option with a usage message', () => {
    expect(run('explode').status).toBe(2);
    const bad = run('deploy', '--force');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('unknown option: --force');
  });

  it('says plainly when there is no cluster instead of applying anything', () => {
    const result = run('deploy');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the cluster does not answer');
  });
});
