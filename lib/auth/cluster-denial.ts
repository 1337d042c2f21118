// What each Meshdeck action needs from the cluster's RBAC, and the sentence that says it is
// missing. Pure and free of server imports: the browser uses it with GET /api/auth/access.
import type { Action } from './roles';

/** The verbs the person holds per kind (VirtualService…) in each namespace they can see. */
export interface ClusterAccess {
  /** False when the dashboard does not impersonate: the cluster then applies only its own service account's rights. */
  impersonating: boolean;
  user: string;
  namespaces: Record<string, Record<string, string[]>>;
}

/** The kind and verb each write needs (the kinds it patches; emergency also creates PeerAuthentications). */
export const ACTION_NEEDS: Record<Action, { kind: string; verb: string }[]> = {
  read: [],
  'traffic:write': [{ kind: 'VirtualService', verb: 'patch' }],
  'resilience:write': [{ kind: 'DestinationRule', verb: 'patch' }],
  'security:write': [{ kind: 'AuthorizationPolicy', verb: 'patch' }],
  emergency: [
    { kind: 'PeerAuthentication', verb: 'create' },
    { kind: 'PeerAuthentication', verb: 'patch' },
  ],
  // A revert patches whatever kind the entry changed; the server (and the cluster) checks that one.
  'audit:revert': [],
  // An override only lets a write past the analysis gate; the write's own action checks the cluster.
  'analysis:override': [],
  // A rollout lives on the VirtualService (its weights and its annotation).
  'rollout:write': [{ kind: 'VirtualService', verb: 'patch' }],
  'rollout:override': [{ kind: 'VirtualService', verb: 'patch' }],
};

const missingIn = (access: ClusterAccess, action: Action, namespace: string) =>
  ACTION_NEEDS[action].find(({ kind, verb }) => !access.namespaces[namespace]?.[kind]?.includes(verb));

/**
 * Why the cluster will refuse the action, or undefined when it allows it. In one namespace, or
 * (no namespace) in every namespace the person can see: then it is refused only when it is
 * refused everywhere.
 */
export function clusterDenial(access: ClusterAccess | undefined, action: Action, namespace?: string): string | undefined {
  if (!access?.impersonating || ACTION_NEEDS[action].length === 0) return undefined;
  const namespaces = namespace ? [namespace] : Object.keys(access.namespaces);
  const missing = namespaces.map((ns) => missingIn(access, action, ns));
  if (missing.some((m) => m === undefined) && namespaces.length > 0) return undefined;
  const first = missing[0] ?? ACTION_NEEDS[action][0]!;
  const where = namespace ? `in namespace ${namespace}` : 'in any namespace you can see';
  return `The cluster's RBAC does not let ${access.user} ${first.verb} ${first.kind} objects ${where}.`;
}
