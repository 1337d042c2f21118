import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import { topicOfKey } from '@/lib/live/topics';
import type { RolloutPhase, RolloutState } from '@/lib/mesh/rollout';
import { queryKeys } from './keys';
import { ACTIVE_ROLLOUT_POLL_MS, rolloutQuery, rolloutsQuery, type RolloutAnswer, type RolloutItem } from './rollouts';
import { rolloutWritten } from './rollouts-writes';

const client = new QueryClient();
afterEach(() => client.clear());

const vs = { namespace: 'shop', name: 'checkout' };
const item = (phase: RolloutPhase, resourceVersion = '1'): RolloutItem => ({
  ...vs,
  resourceVersion,
  state: { phase } as RolloutState,
  destinations: [],
});
const controller = { armed: true, replica: 'r', lease: 'meshdeck/lease' };

/** The detail query's polling interval with this answer loaded. */
const pollingWith = (data: RolloutAnswer | undefined) =>
  (rolloutQuery(vs).refetchInterval as unknown as (query: { state: { data?: RolloutAnswer } }) => number | false)({ state: { data } });

describe('the rollout queries', () => {
  it('push the list through the live stream, per namespace', () => {
    expect(topicOfKey(rolloutsQuery('shop').queryKey)).toBe('rollouts:shop');
    expect(topicOfKey(rolloutsQuery('').queryKey)).toBe('rollouts');
    expect(topicOfKey(rolloutQuery(vs).queryKey)).toBeUndefined();
  });

  it('read one rollout again every few seconds while it is active or its rollback unacknowledged, and not once it is at rest', () => {
    expect(pollingWith({ item: item('Progressing'), controller })).toBe(ACTIVE_ROLLOUT_POLL_MS);
    expect(pollingWith({ item: item('Paused'), controller })).toBe(ACTIVE_ROLLOUT_POLL_MS);
    expect(pollingWith({ item: item('RolledBack'), controller })).toBe(ACTIVE_ROLLOUT_POLL_MS); // until someone acknowledges it
    const acknowledged = item('RolledBack');
    acknowledged.state.acknowledged = { by: 'operator', at: '2026-11-26T13:00:00Z' };
    expect(pollingWith({ item: acknowledged, controller })).toBe(false);
    expect(pollingWith({ item: item('Promoted'), controller })).toBe(false);
    expect(pollingWith(undefined)).toBe(false);
  });

  it('store a write’s answer at once and have the rollouts and traffic views read again', () => {
    client.setQueryData(queryKeys.rollouts.detail(vs), { item: item('Progressing', '1'), controller });
    client.setQueryData(queryKeys.rollouts.list('shop'), { items: [] });
    client.setQueryData(queryKeys.traffic.list('shop'), { items: [] });
    rolloutWritten(client, item('Paused', '2'));
    expect(client.getQueryData<RolloutAnswer>(queryKeys.rollouts.detail(vs))).toEqual({ item: item('Paused', '2'), controller });
    expect(client.getQueryState(queryKeys.rollouts.detail(vs))?.isInvalidated).toBe(false);
    for (const key of [queryKeys.rollouts.list('shop'), queryKeys.traffic.list('shop')]) expect(client.getQueryState(key)?.isInvalidated).toBe(true);
  });
});
