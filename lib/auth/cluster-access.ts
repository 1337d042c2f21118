// Kubernetes RBAC for the signed-in person, on top of Meshdeck's roles. Reads are served from a
// watch cache filled by the dashboard's service account, so each answer is filtered by what the
// cluster lets the person list; with MESHDECK_IMPERSONATE unset the service account's view applies.
import { accessReview, rulesAllow, rulesReview, type Identity } from '@/lib/k8s/access-review';
import {
  authorizationPolicies,
  destinationRules,
  envoyFilters,
  peerAuthentications,
  requestAuthentications,
  virtualServices,
  type ResourceDescriptor,
} from '@/lib/k8s/resources';
import { withArrays } from '@/lib/http/responses';
import { ApiError } from '@/lib/k8s/errors';
import type { ClusterAccess } from './cluster-denial';
import { impersonationFor, type SessionUser } from './session';

/** The Istio kinds Meshdeck shows and writes; a namespace is visible when the person may list one of them. */
export const MESH_KINDS: ResourceDescriptor[] = [
  virtualServices,
  destinationRules,
  peerAuthentications,
  requestAuthentications,
  authorizationPolicies,
  envoyFilters,
];
const WRITE_VERBS = ['list', 'create', 'update', 'patch', 'delete'];
// Reviews in flight at once for one person (one per namespace).
const CONCURRENCY = 8;

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const listsEverywhere = (identity: Identity, kind: ResourceDescriptor) => accessReview(identity, { verb: 'list', group: kind.group, resource: kind.plural });

async function mayInNamespace(identity: Identity, verb: string, kind: ResourceDescriptor, namespace: string): Promise<boolean> {
  const rules = await rulesReview(identity, namespace);
  if (rulesAllow(rules.resourceRules, verb, kind.group, kind.plural)) return true;
  return rules.incomplete ? accessReview(identity, { verb, group: kind.group, resource: kind.plural, namespace }) : false;
}

/**
 * Whether the cluster lets the person list a kind, in one namespace or (none given) cluster-wide.
 * Always true without impersonation.
 */
export async function canList(user: SessionUser, kind: ResourceDescriptor, namespace?: string): Promise<boolean> {
  const identity = impersonationFor(user);
  if (!identity) return true;
  if (await listsEverywhere(identity, kind)) return true;
  return namespace !== undefined && mayInNamespace(identity, 'list', kind, namespace);
}

/**
 * The namespaces (of those given) where the person may list any of the kinds; all of them
 * without impersonation. One cluster-wide SelfSubjectAccessReview per kind first, so a person
 * bound cluster-wide costs no per-namespace review; else one SelfSubjectRulesReview per namespace.
 */
export async function visibleNamespaces(user: SessionUser, namespaces: string[], kinds: ResourceDescriptor[] = MESH_KINDS): Promise<string[]> {
  const identity = impersonationFor(user);
  if (!identity) return namespaces;
  if ((await Promise.all(kinds.map((kind) => listsEverywhere(identity, kind)))).some(Boolean)) return namespaces;
  const visible = await mapLimited(namespaces, CONCURRENCY, async (ns) => {
    for (const kind of kinds) if (await mayInNamespace(identity, 'list', kind, ns)) return true;
    return false;
  });
  return namespaces.filter((_, i) => visible[i]);
}

/**
 * Keeps the items of the namespaces the person can see, e.g.
 * `await onlyVisible(user, views, (v) => v.namespace)`.
 */
export async function onlyVisible<T>(user: SessionUser, items: T[], namespaceOf: (item: T) => string, kinds: ResourceDescriptor[] = MESH_KINDS): Promise<T[]> {
  if (!impersonationFor(user)) return items;
  const allowed = new Set(await visibleNamespaces(user, [...new Set(items.map(namespaceOf))], kinds));
  return items.filter((item) => allowed.has(namespaceOf(item)));
}

/** The verbs the person holds on each mesh kind in each namespace they can see (GET /api/auth/access). */
export async function clusterAccess(user: SessionUser, namespaces: string[]): Promise<ClusterAccess> {
  const identity = impersonationFor(user);
  if (!identity) return { impersonating: false, user: user.email ?? user.name, namespaces: {} };
  const visible = await visibleNamespaces(user, namespaces);
  const entries = await mapLimited(visible, CONCURRENCY, async (ns) => {
    const rules = await rulesReview(identity, ns);
    const kinds: Record<string, string[]> = {};
    for (const kind of MESH_KINDS) {
      const verbs: string[] = [];
      for (const verb of WRITE_VERBS) {
        const allowed =
          rulesAllow(rules.resourceRules, verb, kind.group, kind.plural) ||
          (rules.incomplete && (await accessReview(identity, { verb, group: kind.group, resource: kind.plural, namespace: ns })));
        if (allowed) verbs.push(verb);
      }
      kinds[kind.kind] = verbs;
    }
    return [ns, kinds] as const;
  });
  return { impersonating: true, user: identity.user, namespaces: Object.fromEntries(entries) };
}

/** Every namespace named by a `namespace` string on an object inside an array, at any depth. */
function namespacesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) {
      const ns = (item as { namespace?: unknown } | null)?.namespace;
      if (typeof ns === 'string') found.add(ns);
      namespacesIn(item, found);
    }
  } else if (value && typeof value === 'object') {
    for (const child of Object.values(value)) namespacesIn(child, found);
  }
  return found;
}

/**
 * The answer without the entries of hidden namespaces: every object in an array (at any depth)
 * whose `namespace` is not visible is dropped. Meshdeck's views carry `namespace` on each entry
 * (VirtualService views, workloads, policies, rules). Pure.
 */
export function withoutHiddenNamespaces<T>(value: T, visible: ReadonlySet<string>): T {
  if (Array.isArray(value)) {
    return value
      .filter((item) => {
        const ns = (item as { namespace?: unknown } | null)?.namespace;
        return typeof ns !== 'string' || visible.has(ns);
      })
      .map((item) => withoutHiddenNamespaces(item, visible)) as T;
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, withoutHiddenNamespaces(child, visible)])) as T;
  }
  return value;
}

/**
 * For a read handler: refuses with 403 when the person asks for a namespace the cluster hides
 * from them, and otherwise returns the answer without the hidden namespaces' entries. With
 * MESHDECK_IMPERSONATE unset, the answer as it is.
 *
 * `GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) => visibleAnswer(user!, query.namespace, () => securityView(query.namespace)))`
 */
export async function visibleAnswer<T>(user: SessionUser, namespace: string | undefined, answer: () => Promise<T> | T): Promise<T> {
  const identity = impersonationFor(user);
  if (!identity) return answer();
  if (namespace !== undefined && (await visibleNamespaces(user, [namespace])).length === 0) {
    throw new ApiError(403, `The cluster's RBAC does not let ${identity.user} list Istio resources in namespace ${namespace}`, 'Forbidden');
  }
  const value = withArrays(await answer()); // the large views' items are made as json() streams them
  return withoutHiddenNamespaces(value, new Set(await visibleNamespaces(user, [...namespacesIn(value)])));
}
