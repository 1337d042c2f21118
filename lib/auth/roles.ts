// Who may do what. Roles come from the identity provider's groups through a mapping.

export type Role = 'viewer' | 'operator' | 'admin';
/**
 * `analysis:override`: apply a change the analysis gate refuses (it adds Error-level findings), with a reason.
 * `rollout:write`: start, pause, resume, abort a rollout and acknowledge its rollback; `rollout:override`: skip a
 * step or promote now, which bypass the gates' evidence.
 */
export type Action =
  'read' | 'traffic:write' | 'resilience:write' | 'security:write' | 'emergency' | 'audit:revert' | 'analysis:override' | 'rollout:write' | 'rollout:override';

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
const NEEDS: Record<Action, Role> = {
  read: 'viewer',
  'traffic:write': 'operator',
  'resilience:write': 'operator',
  'audit:revert': 'operator',
  'security:write': 'admin',
  emergency: 'admin',
  'analysis:override': 'admin',
  'rollout:write': 'operator',
  'rollout:override': 'admin',
};

export type RoleMapping = Record<Role, string[]>;

export const DEMO_ROLE_MAPPING: RoleMapping = { admin: ['meshdeck:admins'], operator: ['meshdeck:operators'], viewer: ['meshdeck:viewers'] };

/**
 * Parses MESHDECK_ROLE_GROUPS: "admin=platform-admins;operator=sre,oncall;viewer=engineering".
 * Without it, the demo groups (meshdeck:admins, meshdeck:operators, meshdeck:viewers) apply.
 */
export function parseRoleMapping(value: string | undefined): RoleMapping {
  if (!value?.trim()) return DEMO_ROLE_MAPPING;
  const mapping: RoleMapping = { admin: [], operator: [], viewer: [] };
  for (const part of value
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [role, groups] = part.split('=');
    if (!role || !(role.trim() in RANK) || groups === undefined)
      throw new Error(`MESHDECK_ROLE_GROUPS: "${part}" is not role=group,group (roles: admin, operator, viewer)`);
    mapping[role.trim() as Role] = groups
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
  }
  return mapping;
}

/** The highest role any of the groups maps to; undefined for a user with no mapped group. */
export function roleForGroups(groups: string[], mapping: RoleMapping): Role | undefined {
  const roles = (Object.keys(mapping) as Role[]).filter((role) => mapping[role].some((g) => groups.includes(g)));
  return roles.sort((a, b) => RANK[b] - RANK[a])[0];
}

export function can(role: Role | undefined, action: Action): boolean {
  return role !== undefined && RANK[role] >= RANK[NEEDS[action]];
}

export function requiredRole(action: Action): Role {
  return NEEDS[action];
}
