import { describe, expect, it } from 'vitest';
import { groupSummary, setFieldCount } from './policy-summary';

const policy = {
  loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } },
  connectionPool: { tcp: { maxConnections: 50, connectTimeout: '30s' }, http: { http1MaxPendingRequests: 25 } },
  outlierDetection: { consecutive5xxErrors: 3, maxEjectionPercent: 30 },
};

describe('groupSummary', () => {
  it('names only the set fields of a group, in the editor order', () => {
    expect(groupSummary(policy, 'connectionPool')).toEqual(['50 conn', 'connect 30s', '25 pending']);
    expect(groupSummary(policy, 'outlierDetection')).toEqual(['3× 5xx', '≤ 30% ejected']);
    expect(groupSummary(policy, 'loadBalancer')).toEqual(['hash header x-user']);
  });

  it('is empty for an unset group, and a false flag is not a setting', () => {
    expect(groupSummary(policy, 'tls')).toEqual([]);
    expect(groupSummary({ loadBalancer: { consistentHash: { useSourceIp: false } } }, 'loadBalancer')).toEqual([]);
  });
});

describe('setFieldCount', () => {
  it('counts the editor fields a policy sets (0: the subset inherits)', () => {
    expect(setFieldCount(policy)).toBe(6);
    expect(setFieldCount({})).toBe(0);
    expect(setFieldCount({ loadBalancer: { consistentHash: { useSourceIp: false } } })).toBe(0);
  });
});
