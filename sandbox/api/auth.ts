// Authentication (bearer tokens), impersonation and RBAC authorization, evaluated from the
// Roles, ClusterRoles and bindings stored in the sandbox like any other object.
import { StatusError } from './status.ts';
import type { ResourceRegistry } from './resources.ts';
import type { KubeObject, Store } from './store.ts';

export interface UserInfo {
  username: string;
  groups: string[];
}

export interface DemoIdentity {
  context: string;
  token: string;
  user: UserInfo;
}

/** The sandbox's identities: one per demo role, and the dashboard's service account. */
export const demoIdentities: DemoIdentity[] = [
  { context: 'sandbox-admin', token: 'sandbox-admin-token', user: { username: 'admin@meshdeck.local', groups: ['meshdeck:admins', 'system:authenticated'] } },
  { context: 'sandbox-operator', token: 'sandbox-operator-token', user: { username: 'operator@meshdeck.local', groups: ['meshdeck:operators', 'system:authenticated'] } },
  { context: 'sandbox-viewer', token: 'sandbox-viewer-token', user: { username: 'viewer@meshdeck.local', groups: ['meshdeck:viewers', 'system:authenticated'] } },
  {
    context: 'meshdeck-dashboard',
    token: 'sandbox-dashboard-token',
    user: { username: 'system:serviceaccount:meshdeck:meshdeck-dashboard', groups: ['system:serviceaccounts', 'system:serviceaccounts:meshdeck', 'system:authenticated'] },
  },
];

export function authenticate(authorization: string | undefined): UserInfo {
  const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  const identity = token ? demoIdentities.find((i) => i.token === token) : undefined;
  if (!identity) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
  return identity.user;
}

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  nonResourcePath?: string;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export class Authorizer {
  private readonly store: Store;
  private readonly registry: ResourceRegistry;

  constructor(store: Store, registry: ResourceRegistry) {
    this.store = store;
    this.registry = registry;
  }

  private type(plural: string) {
    return this.registry.byPath('rbac.authorization.k8s.io', 'v1', plural)!;
  }

  /** The rules that apply to a user in a namespace (undefined: cluster-wide only), with where they came from. */
  rulesFor(user: UserInfo, namespace: string | undefined): { rules: PolicyRule[]; sources: string[] } {
    const rules: PolicyRule[] = [];
    const sources: string[] = [];
    const roleRules = (kind: string, name: string, ns: string | undefined) => {
      const role = kind === 'ClusterRole' ? this.store.get(this.type('clusterroles'), undefined, name) : this.store.get(this.type('roles'), ns, name);
      return ((role?.rules as PolicyRule[] | undefined) ?? []);
    };
    for (const binding of this.store.list(this.type('clusterrolebindings'))) {
      if (!this.bound(binding, user)) continue;
      const ref = binding.roleRef as { kind: string; name: string };
      rules.push(...roleRules('ClusterRole', ref.name, undefined));
      sources.push(`ClusterRoleBinding/${binding.metadata.name}`);
    }
    if (namespace) {
      for (const binding of this.store.list(this.type('rolebindings'), namespace)) {
        if (!this.bound(binding, user)) continue;
        const ref = binding.roleRef as { kind: string; name: string };
        rules.push(...roleRules(ref.kind, ref.name, namespace));
        sources.push(`RoleBinding/${namespace}/${binding.metadata.name}`);
      }
    }
    return { rules, sources };
  }

  private bound(binding: KubeObject, user: UserInfo): boolean {
    return ((binding.subjects as Subject[] | undefined) ?? []).some((s) => {
      if (s.kind === 'User') return s.name === user.username;
      if (s.kind === 'Group') return user.groups.includes(s.name);
      if (s.kind === 'ServiceAccount') return user.username === `system:serviceaccount:${s.namespace}:${s.name}`;
      return false;
    });
  }

  /** Whether the user may act; returns the reason either way. */
  authorize(user: UserInfo, a: Attributes): { allowed: boolean; reason: string } {
    // Discovery and version information are open to every authenticated user (system:discovery).
    if (a.nonResourcePath !== undefined && /^\/(version|api|apis|openapi|healthz|readyz|livez)(\/|$)/.test(a.nonResourcePath)) {
      return { allowed: true, reason: 'discovery is allowed for authenticated users' };
    }
    const { rules, sources } = this.rulesFor(user, a.namespace);
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const allowed = rules.some((rule) => {
      if (!rule.verbs.includes('*') && !rule.verbs.includes(a.verb)) return false;
      if (a.nonResourcePath !== undefined) return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === a.nonResourcePath || (u.endsWith('*') && a.nonResourcePath!.startsWith(u.slice(0, -1))));
      if (!(rule.apiGroups ?? []).some((g) => g === '*' || g === a.group)) return false;
      if (!(rule.resources ?? []).some((r) => r === '*' || r === resource || (r === `${a.resource}/*` && a.subresource) || r === `*/${a.subresource}`)) return false;
      return !rule.resourceNames?.length || (a.name !== undefined && rule.resourceNames.includes(a.name));
    });
    return allowed
      ? { allowed: true, reason: `RBAC: allowed by ${sources.join(', ')}` }
      : { allowed: false, reason: '' };
  }

  /** Throws the 403 Status kube-apiserver sends when RBAC denies a request. */
  require(user: UserInfo, a: Attributes): void {
    if (this.authorize(user, a).allowed) return;
    const resource = a.group ? `${a.resource}.${a.group}` : a.resource;
    const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
    const plain = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const what = a.nonResourcePath !== undefined ? `${a.verb} path "${a.nonResourcePath}"` : `${a.verb} resource "${plain}" in API group "${a.group}"${scope}`;
    throw new StatusError(403, `${resource}${a.name ? ` "${a.name}"` : ''} is forbidden: User "${userName(user)}" cannot ${what}`, 'Forbidden', {
      name: a.name,
      group: a.group,
      kind: a.resource,
    });
  }

  /**
   * Applies Impersonate-User / Impersonate-Group headers: the real user must be allowed to
   * impersonate each identity, and the request then runs as the impersonated user.
   */
  impersonate(user: UserInfo, impersonateUser: string | undefined, impersonateGroups: string[]): UserInfo {
    if (!impersonateUser) {
      if (impersonateGroups.length > 0) throw new StatusError(400, 'requested impersonation of groups without a user', 'BadRequest');
      return user;
    }
    const check = (resource: string, name: string) => {
      if (!this.authorize(user, { verb: 'impersonate', group: '', resource, name }).allowed) {
        throw new StatusError(403, `${resource} "${name}" is forbidden: User "${userName(user)}" cannot impersonate resource "${resource}" in API group "" at the cluster scope`, 'Forbidden', { name, kind: resource });
      }
    };
    const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(impersonateUser);
    if (sa) {
      if (!this.authorize(user, { verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace: sa[1], name: sa[2] }).allowed) {
        throw new StatusError(403, `serviceaccounts "${sa[2]}" is forbidden: User "${userName(user)}" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "${sa[1]}"`, 'Forbidden');
      }
    } else check('users', impersonateUser);
    for (const group of impersonateGroups) check('groups', group);
    return { username: impersonateUser, groups: [...new Set([...impersonateGroups, 'system:authenticated'])] };
  }
}

function userName(user: UserInfo): string {
  return user.username;
}
