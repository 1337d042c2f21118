import { describe, expect, it } from 'vitest';
import { can, parseRoleMapping, roleForGroups } from './roles';

describe('roles', () => {
  it('maps groups to the highest role they grant', () => {
    const mapping = parseRoleMapping('admin=platform-admins;operator=sre,oncall;viewer=engineering');
    expect(roleForGroups(['engineering', 'oncall'], mapping)).toBe('operator');
    expect(roleForGroups(['platform-admins', 'engineering'], mapping)).toBe('admin');
    expect(roleForGroups(['marketing'], mapping)).toBeUndefined();
    expect(roleForGroups(['meshdeck:viewers'], parseRoleMapping(undefined))).toBe('viewer');
  });

  it('rejects a mapping it cannot read', () => {
    expect(() => parseRoleMapping('superuser=root')).toThrow(/roles: admin, operator, viewer/);
  });

  it('lets viewers read, operators change traffic and resilience, admins change security', () => {
    expect([can('viewer', 'read'), can('viewer', 'traffic:write')]).toEqual([true, false]);
    expect([can('operator', 'traffic:write'), can('operator', 'resilience:write'), can('operator', 'security:write'), can('operator', 'emergency')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect([can('admin', 'security:write'), can('admin', 'emergency')]).toEqual([true, true]);
    expect(can(undefined, 'read')).toBe(false);
  });

  it('lets operators steer a rollout and only admins skip its evidence', () => {
    expect([can('viewer', 'rollout:write'), can('operator', 'rollout:write'), can('operator', 'rollout:override'), can('admin', 'rollout:override')]).toEqual([
      false,
      true,
      false,
      true,
    ]);
  });
});
