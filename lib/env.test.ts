import { afterEach, describe, expect, it, vi } from 'vitest';
import { envProblems, envSchema, EnvError, ownNamespace, parseEnv, resetEnv, serverEnv } from './env';

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnv();
});

describe('the environment', () => {
  it('accepts the values Meshdeck is deployed and tested with, as the strings they are', () => {
    const raw = {
      MESHDECK_PROMETHEUS_URL: 'http://prometheus.istio-system:9090',
      MESHDECK_JAEGER_URL: 'http://tracing.istio-system:80/jaeger',
      NEXTAUTH_URL: 'https://meshdeck.example.com',
      MESHDECK_IMPERSONATE: '1',
      MESHDECK_EMERGENCY_RECONCILER: '0',
      MESHDECK_DEMO_AUTH: '',
      MESHDECK_NAMESPACES: 'team-a, team-b',
      MESHDECK_ROLE_GROUPS: 'admin=platform-admins;operator=sre,oncall;viewer=engineering',
      MESHDECK_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8',
      MESHDECK_SESSION_MAX_AGE: '3600',
      MESHDECK_AUDIT_RETENTION_DAYS: '0.5',
      UNRELATED: 'x',
    };
    const parsed = parseEnv(raw);
    const { UNRELATED, ...known } = raw;
    expect(parsed.ok && parsed.env).toEqual(known);
    expect(UNRELATED).toBe('x');
  });

  it.each([
    ['MESHDECK_PROMETHEUS_URL', 'prometheus.monitoring', 'must be a URL such as http://host:port'],
    ['MESHDECK_JAEGER_UI_URL', 'ftp://jaeger', 'must be an http:// or https:// URL'],
    ['MESHDECK_READ_ONLY', 'yes', 'must be 1 (on) or 0 (off), not "yes"'],
    ['MESHDECK_SESSION_MAX_AGE', '5', 'must be a whole number of seconds (10 or more)'],
    ['MESHDECK_AUDIT_NAMESPACE_BYTES', '-1', 'must be a positive number of bytes'],
    ['MESHDECK_NAMESPACES', 'team-a,Team_B', 'lists "Team_B"'],
    ['POD_NAMESPACE', 'My Namespace', 'must be a namespace name'],
    ['MESHDECK_ROLE_GROUPS', 'boss=ceo', '"boss=ceo" is not role=group,group'],
    ['MESHDECK_TRUSTED_PROXIES', '10.0.0.0/8, proxy.local', '"proxy.local" is not an IP address or CIDR'],
  ])('%s=%s is an error that names the variable', (variable, value, message) => {
    const parsed = parseEnv({ [variable]: value });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toBeInstanceOf(EnvError);
    expect(parsed.error.status).toBe(503);
    expect(parsed.error.problems).toEqual([{ variable, message: expect.stringContaining(message) }]);
    expect(parsed.error.message).toMatch(new RegExp(`^Meshdeck's configuration is invalid: ${variable}: `));
  });

  it('is read from process.env once per configuration: a change is seen, a wrong value throws and is listed', () => {
    vi.stubEnv('MESHDECK_ROOT_NAMESPACE', 'mesh-root');
    const first = serverEnv();
    expect(first.MESHDECK_ROOT_NAMESPACE).toBe('mesh-root');
    expect(serverEnv()).toBe(first);
    vi.stubEnv('MESHDECK_READ_ONLY', 'true');
    expect(() => serverEnv()).toThrow(/MESHDECK_READ_ONLY: must be 1 \(on\) or 0 \(off\)/);
    expect(envProblems()).toEqual([{ variable: 'MESHDECK_READ_ONLY', message: expect.stringContaining('must be 1') }]);
    vi.stubEnv('MESHDECK_READ_ONLY', '1');
    expect(envProblems()).toEqual([]);
    expect(serverEnv().MESHDECK_READ_ONLY).toBe('1');
  });

  it("finds Meshdeck's own namespace from the downward API, its own variable, or the default", () => {
    expect(ownNamespace({ POD_NAMESPACE: 'ops', MESHDECK_NAMESPACE: 'x' })).toBe('ops');
    expect(ownNamespace({ POD_NAMESPACE: '', MESHDECK_NAMESPACE: 'x' })).toBe('x');
    expect(ownNamespace({})).toBe('meshdeck');
  });

  it('documents every variable (the README table is generated from these descriptions)', () => {
    for (const [name, field] of Object.entries(envSchema.shape)) expect(field.description, name).toMatch(/\w/);
  });
});
