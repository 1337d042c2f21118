// Authentication (bearer tokens), impersonation and RBAC authorization, evaluated from the
// Roles, ClusterRoles and bindings stored in the sandbox like any other object.
import { StatusError, details } from './status.ts';
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
  {
    context: 'sandbox-operator',
    token: 'sandbox-operator-token',
    user: { username: 'operator@meshdeck.local', groups: ['meshdeck:operators', 'system:authenticated'] },
  },
  {
    context: 'sandbox-viewer',
    token: 'sandbox-viewer-token',
    user: { username: 'viewer@meshdeck.local', groups: ['meshdeck:viewers', 'system:authenticated'] },
  },
  {
    context: 'meshdeck-dashboard',
    token: 'sandbox-dashboard-token',
    user: {
      username: 'system:serviceaccount:meshdeck:meshdeck-dashboard',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:meshdeck', 'system:authenticated'],
    },
  },
];

/** The user a request without credentials runs as (kube-apiserver's anonymous auth, on by default). */
export const anonymous: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Static bearer tokens: a known token is its identity, an unknown one 401, none the anonymous user. */
export function authenticate(authorization: string | undefined, identities: DemoIdentity[] = demoIdentities): UserInfo {
  if (!authorization) return anonymous;
  const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  const identity = token ? identities.find((i) => i.token === token) : undefined;
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

  /**
   * The rules that apply to a user in a namespace (undefined: cluster-wide only), each with
   * the binding that grants it in kube-apiserver's words ("RoleBinding "b/ns" of ClusterRole "r" to Group "g"").
   */
  rulesFor(user: UserInfo, namespace: string | undefined): { rule: PolicyRule; source: string }[] {
    const out: { rule: PolicyRule; source: string }[] = [];
    const grant = (binding: KubeObject, bindingName: string, ns: string | undefined) => {
      const subject = this.matchingSubject(binding, user);
      if (!subject) return;
      const ref = binding.roleRef as { kind: string; name: string };
      const role =
        ref.kind === 'ClusterRole' ? this.store.get(this.type('clusterroles'), undefined, ref.name) : this.store.get(this.type('roles'), ns, ref.name);
      const source = `${binding.kind} "${bindingName}" of ${ref.kind} "${ref.name}" to ${subject}`;
      for (const rule of (role?.rules as PolicyRule[] | undefined) ?? []) out.push({ rule, source });
    };
    for (const binding of this.store.list(this.type('clusterrolebindings'))) grant(binding, binding.metadata.name, undefined);
    if (namespace)
      for (const binding of this.store.list(this.type('rolebindings'), namespace)) grant(binding, `${binding.metadata.name}/${namespace}`, namespace);
    return out;
  }

  private matchingSubject(binding: KubeObject, user: UserInfo): string | undefined {
    const subject = ((binding.subjects as Subject[] | undefined) ?? []).find((s) => {
      if (s.kind === 'User') return s.name === user.username;
      if (s.kind === 'Group') return user.groups.includes(s.name);
      if (s.kind === 'ServiceAccount') return user.username === `system:serviceaccount:${s.namespace}:${s.name}`;
      return false;
    });
    if (!subject) return undefined;
    return subject.kind === 'ServiceAccount' ? `ServiceAccount "${subject.name}/${subject.namespace}"` : `${subject.kind} "${subject.name}"`;
  }

  /** Whether the user may act; returns the reason either way. */
  authorize(user: UserInfo, a: Attributes): { allowed: boolean; reason: string } {
    if (a.nonResourcePath !== undefined) {
      // Health and version are public (system:public-info-viewer); discovery and OpenAPI are
      // open to every authenticated user (system:discovery).
      if (/^\/(version|healthz|readyz|livez)(\/|$)/.test(a.nonResourcePath)) return { allowed: true, reason: 'public information' };
      if (/^\/(api|apis|openapi)(\/|$)/.test(a.nonResourcePath) && user.groups.includes('system:authenticated'))
        return { allowed: true, reason: 'discovery is allowed for authenticated users' };
    }
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const granted = this.rulesFor(user, a.namespace).find(({ rule }) => {
      if (!rule.verbs.includes('*') && !rule.verbs.includes(a.verb)) return false;
      if (a.nonResourcePath !== undefined)
        return (rule.nonResourceURLs ?? []).some(
          (u) => u === '*' || u === a.nonResourcePath || (u.endsWith('*') && a.nonResourcePath!.startsWith(u.slice(0, -1))),
        );
      if (!(rule.apiGroups ?? []).some((g) => g === '*' || g === a.group)) return false;
      if (!(rule.resources ?? []).some((r) => r === '*' || r === resource || (r === `${a.resource}/*` && a.subresource) || r === `*/${a.subresource}`))
        return false;
      return !rule.resourceNames?.length || (a.name !== undefined && rule.resourceNames.includes(a.name));
    });
    return granted ? { allowed: true, reason: `RBAC: allowed by ${granted.source}` } : { allowed: false, reason: '' };
  }

  /** Throws the 403 Status kube-apiserver sends when RBAC denies a request. */
  require(user: UserInfo, a: Attributes): void {
    if (this.authorize(user, a).allowed) return;
    if (a.nonResourcePath !== undefined) {
      throw new StatusError(403, `forbidden: User "${userName(user)}" cannot ${a.verb} path "${a.nonResourcePath}"`, 'Forbidden', {});
    }
    const resource = a.group ? `${a.resource}.${a.group}` : a.resource;
    const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
    const plain = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    throw new StatusError(
      403,
      `${resource}${a.name ? ` "${a.name}"` : ''} is forbidden: User "${userName(user)}" cannot ${a.verb} resource "${plain}" in API group "${a.group}"${scope}`,
      'Forbidden',
      details(a.name, a.group, a.resource),
    );
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
        throw new StatusError(
          403,
          `${resource} "${name}" is forbidden: User "${userName(user)}" cannot impersonate resource "${resource}" in API group "" at the cluster scope`,
          'Forbidden',
          { name, kind: resource },
        );
      }
    };
    const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(impersonateUser);
    if (sa) {
      if (!this.authorize(user, { verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace: sa[1], name: sa[2] }).allowed) {
        throw new StatusError(
          403,
          `serviceaccounts "${sa[2]}" is forbidden: User "${userName(user)}" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "${sa[1]}"`,
          'Forbidden',
        );
      }
    } else check('users', impersonateUser);
    for (const group of impersonateGroups) check('groups', group);
    return { username: impersonateUser, groups: [...new Set([...impersonateGroups, 'system:authenticated'])] };
  }
}

function userName(user: UserInfo): string {
  return user.username;
}
