import { describe, expect, it } from 'vitest';
import { refusal, type SessionUser } from './session';

const user = (role: SessionUser['role'], groups = ['g']): SessionUser => ({ name: 'u', email: 'u@x', groups, role });

describe('authorization of an action', () => {
  it('401 without a session', () => expect(refusal(null, 'read', false)?.status).toBe(401));
  it('403 for a viewer writing traffic', () => expect(refusal(user('viewer'), 'traffic:write', false)?.message).toContain('needs operator'));
  it("403 for an operator's security write", () => expect(refusal(user('operator'), 'security:write', false)?.status).toBe(403));
  it('allows an admin security write, an operator traffic write', () => {
    expect(refusal(user('admin'), 'security:write', false)).toBeUndefined();
    expect(refusal(user('operator'), 'traffic:write', false)).toBeUndefined();
  });
  it('403 for everyone writing in read-only mode, reads still allowed', () => {
    expect(refusal(user('admin'), 'traffic:write', true)?.message).toContain('read-only');
    expect(refusal(user('viewer'), 'read', true)).toBeUndefined();
  });
  it('403 for a user with no mapped group', () => expect(refusal(user(null, ['sales']), 'read', false)?.message).toContain('(sales)'));
});
