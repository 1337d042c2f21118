import { describe, expect, it } from 'vitest';
import { queryKeys } from '@/lib/queries/keys';
import { keyOfTopic, topicName, topicOfKey } from './topics';
import { topicsQuery } from './topics-query';

const parse = (topics?: string) => topicsQuery.safeParse(topics === undefined ? {} : { topics });
const messages = (topics?: string) => parse(topics).error?.issues.map((i) => i.message) ?? [];

describe('stream topics', () => {
  it('reads namespaced and global topics, a bare namespaced one meaning every namespace', () => {
    const topics = parse('traffic:shop,traffic,emergencies,namespaces,cluster,access,security:a-1,audit:shop').data?.topics;
    expect(topics?.map((t) => [t.kind, t.namespace])).toEqual(
      Object.entries({ traffic: ['shop', ''], emergencies: [''], namespaces: [''], cluster: [''], access: [''], security: ['a-1'], audit: ['shop'] }).flatMap(
        ([kind, namespaces]) => namespaces.map((namespace) => [kind, namespace]),
      ),
    );
  });

  it('takes the refresh of the Prometheus topics in whole seconds', () => {
    expect(parse('traffic-live').data?.refresh).toBeUndefined();
    expect(topicsQuery.safeParse({ topics: 'traffic-live', refresh: '30' }).data?.refresh).toBe(30);
    expect(topicsQuery.safeParse({ topics: 'traffic-live', refresh: '0' }).data?.refresh).toBe(0);
    for (const bad of ['-1', '1.5', 'soon', '99999']) expect(topicsQuery.safeParse({ topics: 'traffic-live', refresh: bad }).success).toBe(false);
    expect(topicsQuery.safeParse({ topics: 'traffic-live', refresh: '7200' }).error?.issues[0]?.message).toBe('refresh is at most 3600 seconds');
  });

  it('drops duplicates and empty entries', () => {
    expect(parse('traffic:shop,,traffic:shop').data?.topics).toEqual([{ kind: 'traffic', namespace: 'shop' }]);
  });

  it('refuses unknown topics, bad namespaces, a namespace on a global topic, none, and too many, saying what is allowed', () => {
    expect(messages('kpis:shop')).toEqual([expect.stringContaining('unknown topic "kpis:shop": topics are traffic[:<namespace>], traffic-live[:<namespace>]')]);
    expect(messages('emergencies:shop')[0]).toContain('unknown topic "emergencies:shop"');
    expect(messages('traffic:Shop')).toEqual(['"Shop" in topic "traffic:Shop" is not a namespace name']);
    expect(messages('traffic:a:b')[0]).toContain('unknown topic');
    expect(messages('')[0]).toContain('name at least one topic');
    expect(messages()[0]).toContain('topics is required');
    expect(messages(Array.from({ length: 33 }, (_, i) => `traffic:n${i}`).join(','))).toEqual(['at most 32 topics on one connection']);
  });

  it('maps each topic to its query key from the factory and back', () => {
    for (const text of [
      'traffic:shop',
      'traffic',
      'traffic-live:shop',
      'resilience:x',
      'resilience-live',
      'security',
      'security-live:x',
      'audit:shop',
      'audit',
      'overview:shop',
      'overview',
      'rollouts:shop',
      'rollouts',
      'emergencies',
      'namespaces',
      'cluster',
      'access',
    ]) {
      const topic = parse(text).data!.topics[0]!;
      expect(topicName(topic)).toBe(text);
      expect(topicOfKey(keyOfTopic(topic))).toBe(text);
    }
    expect(keyOfTopic({ kind: 'traffic', namespace: 'shop' })).toEqual(queryKeys.traffic.list('shop'));
    expect(topicOfKey(queryKeys.audit.trail({ q: '', action: '', user: '', namespace: 'shop' }))).toBe('audit:shop');
    expect(topicOfKey(queryKeys.audit.trail({ namespace: 'shop', user: 'someone', action: '', q: '' }))).toBeUndefined();
    expect(topicOfKey(queryKeys.search('shop'))).toBeUndefined();
    expect(topicOfKey(queryKeys.traffic.destinations({ namespace: 'shop', name: 'a' }))).toBeUndefined();
    expect(topicOfKey(queryKeys.rollouts.detail({ namespace: 'shop', name: 'shop' }))).toBeUndefined();
    expect(topicOfKey(queryKeys.rollouts.presets('shop'))).toBeUndefined();
    expect(topicOfKey(queryKeys.kpis.page({ namespace: '', range: '1h' }))).toBeUndefined();
    expect(topicOfKey(['traffic', 'list', 'shop', 'extra'])).toBeUndefined();
  });
});
